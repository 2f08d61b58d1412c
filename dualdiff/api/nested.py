"""Gradients and Jacobians inside an enclosing derivative call.

Where x (or f, through a closure) carries an enclosing ``derivative`` call's
perturbation, the partials are taken one by one, each by a ``derivative``
call nested in that one, so each comes out as a Dual of it: n passes
instead of one, paid only by nesting.
"""

import numpy as np

from dualdiff.api.points import perturbed, vector_point


def nested_gradient(backend, f, x, op):
    """The partials of f at x, a point carrying an enclosing derivative
    call's perturbation: n derivative calls, each nested in that call, so
    each partial is a Dual of it.  Only nesting pays for the n passes."""
    xs = np.asarray(x, dtype=object)
    if xs.ndim != 1:
        raise ValueError(f"{op}() expects a 1-D x, not an array of shape {xs.shape}")
    if not callable(f):
        raise TypeError(f"{op}() expects a callable f, not {type(f).__name__!r}")
    out = np.empty(xs.size, dtype=object)
    for i in range(xs.size):
        def along(t, i=i):
            v = xs.copy()
            v[i] = t
            return f(v)
        out[i] = backend.derivative(along, xs[i])
    Dual, NestedDual = backend.Dual, backend.NestedDual
    if any(type(e) is Dual or type(e) is NestedDual for e in out):
        return out   # Duals of the enclosing call
    return out.astype(np.float64)


def nested_jacobian(backend, f, x):
    """The Jacobian inside a derivative call: one nested gradient per
    output (so m * n derivative calls), whose entries are Duals of the
    enclosing call where they depend on its perturbation."""
    if not callable(f):
        raise TypeError(f"jacobian() expects a callable f, not {type(f).__name__!r}")
    xs = np.asarray(x, dtype=object) if perturbed(backend, x) else vector_point(x, "jacobian")
    y = f(np.asarray(xs, dtype=object))
    if not (isinstance(y, (list, tuple)) or (isinstance(y, np.ndarray) and y.ndim > 0)):
        return nested_gradient(backend, f, x, "jacobian")
    shape = np.shape(np.asarray(y, dtype=object))
    rows = [nested_gradient(backend, lambda v, k=k: np.asarray(f(v), dtype=object)[k], x,
                            "jacobian")
            for k in np.ndindex(*shape)]
    dtype = object if any(r.dtype == object for r in rows) else np.float64
    out = np.empty(shape + (len(xs),), dtype=dtype)
    for k, row in zip(np.ndindex(*shape), rows):
        out[k] = row
    return out
