"""Derivatives of functions of several variables, for either backend.

``operators(backend)`` builds gradient, value_and_gradient, jacobian and jvp
over a backend's number types: the variables are an object ndarray of
GradientDual seeds (or of Dual for jvp), so ``f`` may index them in Python
loops or use NumPy's operators on them (``x[1:] - x[:-1]**2``, ``np.sum``,
``@`` with a float matrix), as ``scipy.optimize.rosen`` does.

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
"""

import numbers

import numpy as np

from dualdiff import _array, _common


def vector_point(x, op):
    """x as a 1-D float64 ndarray; TypeError or ValueError otherwise."""
    if type(x) is np.ndarray and x.dtype == np.float64 and x.ndim == 1:
        return x   # the common case, without a copy: nothing here writes to x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        raise TypeError(f"{op}() expects x to be a list, tuple or 1-D ndarray of real "
                        f"numbers, not a scalar {type(x).__name__!r}: use derivative() "
                        "for a function of one variable")
    if not isinstance(x, (list, tuple, np.ndarray)):
        raise _common.operand_error(op, x, "a list, tuple or 1-D ndarray of real numbers")
    arr = np.asarray(x)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.integer)
                                   or np.issubdtype(arr.dtype, np.floating)
                                   or arr.dtype == bool):
        raise TypeError(f"{op}() expects x of real numbers, not an array of {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{op}() expects a 1-D x, not an array of shape {arr.shape}")
    return arr.astype(np.float64)


def _bind2(op, f, **options):
    """The function (x, v) -> op(f, x, v, **options), for jvp(f) and hvp(f)."""
    if not callable(f):
        raise TypeError(f"{op.__name__}() expects a callable f, not {type(f).__name__!r}")

    def bound(x, v):
        return op(f, x, v, **options)

    fname = getattr(f, "__name__", type(f).__name__)
    bound.__name__ = bound.__qualname__ = f"{op.__name__}_of_{fname}"
    bound.__doc__ = f"{op.__name__}({fname}, x, v) as a function of x and v."
    return bound


def operators(backend):
    """The multivariate derivative operators over `backend`'s number types.

    `backend` provides GradientDual, HessianDual, Dual, gradient_seeds(x)
    and hessian_seeds(x).
    """
    GradientDual, Dual, seeds = backend.GradientDual, backend.Dual, backend.gradient_seeds
    DualArray = backend.DualArray
    HessianArray = type("HessianArray", (_array.HessianArrayBase,),
                        {"__slots__": (), "_kernels": DualArray._kernels,
                         "__module__": DualArray.__module__})
    HessianDual, hessian_seeds = backend.HessianDual, backend.hessian_seeds
    derivative, NestedDual = backend.derivative, backend.NestedDual

    def _perturbed(x):
        """x holds numbers of an enclosing derivative call (it is nested)."""
        if isinstance(x, np.ndarray) and x.dtype != object:
            return False
        if not isinstance(x, (list, tuple, np.ndarray)):
            return False
        return any(type(e) is Dual or type(e) is NestedDual for e in np.ravel(np.asarray(x, dtype=object)))

    def _nested_gradient(f, x, op):
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
            out[i] = derivative(along, xs[i])
        if any(type(e) is Dual or type(e) is NestedDual for e in out):
            return out   # Duals of the enclosing call
        return out.astype(np.float64)

    def _nested_jacobian(f, x):
        """The Jacobian inside a derivative call: one nested gradient per
        output (so m * n derivative calls), whose entries are Duals of the
        enclosing call where they depend on its perturbation."""
        if not callable(f):
            raise TypeError(f"jacobian() expects a callable f, not {type(f).__name__!r}")
        xs = np.asarray(x, dtype=object) if _perturbed(x) else vector_point(x, "jacobian")
        y = f(np.asarray(xs, dtype=object))
        if not (isinstance(y, (list, tuple)) or (isinstance(y, np.ndarray) and y.ndim > 0)):
            return _nested_gradient(f, x, "jacobian")
        shape = np.shape(np.asarray(y, dtype=object))
        rows = [_nested_gradient(lambda v, k=k: np.asarray(f(v), dtype=object)[k], x, "jacobian")
                for k in np.ndindex(*shape)]
        dtype = object if any(r.dtype == object for r in rows) else np.float64
        out = np.empty(shape + (len(xs),), dtype=dtype)
        for k, row in zip(np.ndindex(*shape), rows):
            out[k] = row
        return out

    def _scalar(y, op):
        """The one number f returned (a 0-d array counts, as np.sum returns)."""
        if isinstance(y, np.ndarray) and y.ndim == 0:
            y = y[()]
        return y

    def _partials(y, n, op):
        y = _scalar(y, op)
        arr = _array_result(y, n, op)
        if arr is not None:
            if np.ndim(arr[0]) != 0:
                raise _common.result_error(op, y)
            return float(arr[0]), np.array(arr[1], dtype=np.float64)
        if type(y) is GradientDual:
            return y.real, y.gradient(n)
        if isinstance(y, numbers.Real) and not isinstance(y, bool):
            return float(y), np.zeros(n)
        raise _common.result_error(op, y)

    def _evaluate(f, x, op, vectorized=False):
        if not callable(f):
            raise TypeError(f"{op}() expects a callable f, not {type(f).__name__!r}")
        x = vector_point(x, op)
        if vectorized:
            # one direction per variable: the tangent rows are the identity
            return f(DualArray._new(x, np.eye(x.size))), x.size
        return f(seeds(x)), x.size

    def _array_result(y, n, op):
        """(values, partials of shape values.shape + (n,)) of f's result at the
        DualArray of n directions; None if y is not such an array."""
        if isinstance(y, DualArray):
            rows = y._t
            if rows.shape[0] != n:
                raise _common.result_error(op, y)
            return y._re, np.moveaxis(rows, 0, -1) if rows.ndim > 1 else rows
        if type(y) is Dual or isinstance(y, _common.ARRAY_BASE):
            raise _common.result_error(op, y)
        return None

    def gradient(f, x=..., *, vectorized=False):
        """gradient(f, x, *, vectorized=False) -> the gradient of f at x, an (n,) float64 ndarray.

        One evaluation of f at GradientDual numbers (with vectorized=True, at
        one DualArray of n tangent directions: faster for f written with dense
        array operations, such as matrix products or logsumexp).  Without x,
        returns the function x -> gradient(f, x), e.g. as scipy.optimize's
        ``jac``.

        >>> import dualdiff as dd
        >>> dd.gradient(lambda v: v[0]**2 * v[1] + v[0] * v[1]**2, [1.0, 2.0])
        array([8., 5.])
        """
        if x is ...:   # no point: return the gradient function
            return _common.bind(gradient, f, vectorized=vectorized)
        if _perturbed(x):   # inside a derivative call
            return _nested_gradient(f, x, "gradient")
        try:
            y, n = _evaluate(f, x, "gradient", vectorized)
        except _common.NestedCallError:   # inside a derivative call, through a closure
            return _nested_gradient(f, x, "gradient")
        return _partials(y, n, "gradient")[1]

    def value_and_gradient(f, x=..., *, vectorized=False):
        """value_and_gradient(f, x, *, vectorized=False) -> (f(x), gradient of f at x) from one evaluation.

        Without x, returns the function x -> value_and_gradient(f, x).

        >>> import dualdiff as dd
        >>> dd.value_and_gradient(lambda v: v[0] * v[1], [3.0, 4.0])
        (12.0, array([4., 3.]))
        """
        if x is ...:   # no point: return the function
            return _common.bind(value_and_gradient, f, vectorized=vectorized)
        if _perturbed(x):   # inside a derivative call
            return f(np.asarray(x, dtype=object)), _nested_gradient(f, x, "value_and_gradient")
        try:
            y, n = _evaluate(f, x, "value_and_gradient", vectorized)
        except _common.NestedCallError:   # inside a derivative call, through a closure
            return (f(np.asarray(vector_point(x, "value_and_gradient"), dtype=object)),
                    _nested_gradient(f, x, "value_and_gradient"))
        return _partials(y, n, "value_and_gradient")

    def jacobian(f, x=..., *, vectorized=False):
        """jacobian(f, x, *, vectorized=False) -> the Jacobian of f at x, of shape f(x).shape + (n,).

        f may return a list, tuple or ndarray of numbers (an (m, n) result)
        or a single number (an (n,) result, its gradient); with
        vectorized=True, a DualArray.  Without x, returns the function
        x -> jacobian(f, x).

        >>> import dualdiff as dd
        >>> dd.jacobian(lambda v: [v[0] * v[1], v[0] + v[1]], [2.0, 3.0])
        array([[3., 2.],
               [1., 1.]])
        """
        if x is ...:   # no point: return the Jacobian function
            return _common.bind(jacobian, f, vectorized=vectorized)
        if _perturbed(x):   # inside a derivative call
            return _nested_jacobian(f, x)
        try:
            y, n = _evaluate(f, x, "jacobian", vectorized)
        except _common.NestedCallError:   # inside a derivative call, through a closure
            return _nested_jacobian(f, x)
        arr = _array_result(_scalar(y, "jacobian"), n, "jacobian")
        if arr is not None:
            return np.array(arr[1], dtype=np.float64)
        if isinstance(y, (list, tuple)) or (isinstance(y, np.ndarray) and y.ndim > 0):
            outputs = np.empty(len(y) if not isinstance(y, np.ndarray) else y.shape,
                               dtype=object)
            if isinstance(y, np.ndarray):
                outputs[...] = y
            else:
                outputs[:] = list(y)
            out = np.empty(outputs.shape + (n,))
            for index, yi in np.ndenumerate(outputs):
                out[index] = _partials(yi, n, "jacobian")[1]
            return out
        return _partials(y, n, "jacobian")[1]

    def jvp(f, x=..., v=..., *, vectorized=False):
        """jvp(f, x, v, *, vectorized=False) -> the directional derivative J(x) v, in one evaluation of f at Duals.

        The result has the shape of f(x): a float for a function with one
        output, an ndarray for a list, tuple or ndarray of outputs.  With
        vectorized=True, f is evaluated once at DualArray(x, v) instead of
        an object array of Duals (f written with array operations).
        Without x and v, returns the function (x, v) -> jvp(f, x, v).

        >>> import dualdiff as dd
        >>> dd.jvp(lambda p: p[0]**2 * p[1], [1.0, 2.0], [1.0, 0.0])
        4.0
        """
        if x is ... and v is ...:   # no point: return the function of (x, v)
            return _bind2(jvp, f, vectorized=vectorized)
        if not callable(f):
            raise TypeError(f"jvp() expects a callable f, not {type(f).__name__!r}")
        if v is ...:
            raise TypeError("jvp() expects a direction v with the point x")
        x = vector_point(x, "jvp")
        v = vector_point(v, "jvp")
        if v.shape != x.shape:
            raise ValueError(f"jvp() expects v of the shape of x {x.shape}, not {v.shape}")
        if vectorized:
            y = _scalar(f(DualArray(x, v)), "jvp")
            if type(y) is Dual:   # an element or a sum of a DualArray
                return y.dual
            if isinstance(y, DualArray):
                return float(y.dual) if y.ndim == 0 else np.array(y.dual)
            if isinstance(y, numbers.Real) and not isinstance(y, bool):
                return 0.0
            raise _common.result_error("jvp", y)
        duals = np.empty(x.size, dtype=object)
        for i in range(x.size):
            duals[i] = Dual(x[i], v[i])
        y = f(duals)

        def tangent(yi):
            yi = _scalar(yi, "jvp")
            if type(yi) is Dual:
                return yi.dual
            if isinstance(yi, numbers.Real) and not isinstance(yi, bool):
                return 0.0
            raise _common.result_error("jvp", yi)

        if isinstance(y, (list, tuple)) or (isinstance(y, np.ndarray) and y.ndim > 0):
            outputs = np.asarray(y, dtype=object)
            return np.array([tangent(t) for t in outputs.ravel()],
                            dtype=np.float64).reshape(outputs.shape)
        return tangent(y)

    def _hessian_of(f, x, op, vectorized=False):
        if not callable(f):
            raise TypeError(f"{op}() expects a callable f, not {type(f).__name__!r}")
        x = vector_point(x, op)
        if vectorized:
            return _vectorized_hessian(f, x, op)
        y = _scalar(f(hessian_seeds(x)), op)
        if type(y) is HessianDual:
            return y.hessian(x.size)
        if isinstance(y, numbers.Real) and not isinstance(y, bool):
            return np.zeros((x.size, x.size))
        raise _common.result_error(op, y)

    def _vectorized_hessian(f, x, op):
        """The Hessian from one evaluation of f at a HessianArray: n first-order
        rows (the identity) and n * n second-order rows (zero)."""
        n = x.size
        rows = np.zeros((n + n * n, n))
        rows[:n] = np.eye(n)
        y = _scalar(f(HessianArray._new(x, rows)), op)
        if isinstance(y, HessianArray):
            if y.ndim != 0:
                raise _common.result_error(op, y)
            h = np.array(HessianArray._split(y._t)[1], dtype=np.float64)
            return (h + h.T) * 0.5   # exactly symmetric (it is already, up to summation order)
        if type(y) is Dual or isinstance(y, _common.ARRAY_BASE):
            raise _common.result_error(op, y)
        if isinstance(y, numbers.Real) and not isinstance(y, bool):
            return np.zeros((n, n))
        raise _common.result_error(op, y)

    def hessian(f, x=..., *, vectorized=False):
        """hessian(f, x, *, vectorized=False) -> the Hessian of f at x, an exactly symmetric (n, n) ndarray.

        One evaluation of f at HessianDual numbers; each operation costs time
        proportional to the partials its operands carry.  With vectorized=True,
        one evaluation of a NumPy-vectorised f at one array carrying n first
        and n * n second partials (memory (n + n^2) times the values': for
        dense functions of up to ~100 variables).  Without x, returns the
        function x -> hessian(f, x), e.g. as scipy.optimize's ``hess``.

        >>> import dualdiff as dd
        >>> dd.hessian(lambda v: v[0]**2 * v[1] + v[0] * v[1]**2, [1.0, 2.0])
        array([[4., 6.],
               [6., 2.]])
        """
        if x is ...:   # no point: return the Hessian function
            return _common.bind(hessian, f, vectorized=vectorized)
        return _hessian_of(f, x, "hessian", vectorized)

    def hvp(f, x=..., v=..., *, vectorized=False):
        """hvp(f, x, v, *, vectorized=False) -> the Hessian-vector product H(x) v, an (n,) ndarray.

        Computed from the one-pass Hessian (so it costs what hessian costs).
        Without x and v, returns the function (x, v) -> hvp(f, x, v), e.g. as
        scipy.optimize's ``hessp``.

        >>> import dualdiff as dd
        >>> dd.hvp(lambda p: p[0]**2 * p[1], [1.0, 2.0], [1.0, 0.0])
        array([4., 2.])
        """
        if x is ... and v is ...:   # no point: return the function of (x, v)
            return _bind2(hvp, f, vectorized=vectorized)
        if v is ...:
            raise TypeError("hvp() expects a direction v with the point x")
        v = vector_point(v, "hvp")
        h = _hessian_of(f, x, "hvp", vectorized)
        if v.shape != (h.shape[0],):
            raise ValueError(f"hvp() expects v of the shape of x ({h.shape[0]},), not {v.shape}")
        used = v != 0.0   # zero stays zero: an infinite entry times a zero component is 0
        return h[:, used] @ v[used]

    def gradient_result(y, n):
        """The gradient from f's result y (for a compiled fast path of gradient)."""
        return _partials(y, n, "gradient")[1]

    def hessian_result(y, n):
        """The Hessian from f's result y (for a compiled fast path of hessian)."""
        y = _scalar(y, "hessian")
        if type(y) is HessianDual:
            return y.hessian(n)
        if isinstance(y, numbers.Real) and not isinstance(y, bool):
            return np.zeros((n, n))
        raise _common.result_error("hessian", y)

    return {"gradient": gradient, "value_and_gradient": value_and_gradient,
            "jacobian": jacobian, "jvp": jvp, "hessian": hessian, "hvp": hvp,
            "gradient_result": gradient_result, "hessian_result": hessian_result}
