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

``vectorized="auto"`` (for the function ``gradient(f, vectorized="auto")``
returns, never with a point) lets that function find out which is faster:
see ``AutoBound``.
"""

import numbers
import threading
from time import perf_counter   # read at each first call: tests substitute a fake clock

import numpy as np

from dualdiff import _common, arrays as _array

#: The vectorized way is tried by "auto" only while its seed tangents take at
#: most this many bytes: n * n doubles for a gradient (n <= 2896), n * (n + n*n)
#: for a Hessian (n <= 202).  Past that, trying it once could take gigabytes.
AUTO_SEED_BYTES = 64 * 2**20

#: Timings of the two ways closer than this factor are taken again ("auto").
AUTO_CLOSE = 4.0


def vectorized_mode(vectorized, op):
    """True, False or "auto" from the vectorized= argument of `op`.

    0 and 1 (and NumPy's booleans) count as False and True, as they always
    have; anything else is an error, not a truth value.
    """
    if vectorized is False or vectorized is True:
        return vectorized
    if isinstance(vectorized, str):
        if vectorized == "auto":
            return "auto"
        raise ValueError(f"{op}() takes vectorized=True, False or \"auto\", not {vectorized!r}")
    if isinstance(vectorized, (numbers.Integral, np.bool_)) and vectorized in (0, 1):
        return bool(vectorized)
    if isinstance(vectorized, numbers.Integral):
        raise ValueError(f"{op}() takes vectorized=True, False or \"auto\", not {vectorized!r}")
    raise TypeError(f"{op}() takes vectorized=True, False or \"auto\", not {vectorized!r} "
                    f"(of type {type(vectorized).__name__!r})")


def auto_needs_binding(op, point="x"):
    """The error for vectorized="auto" given with a point."""
    return ValueError(
        f'{op}(f, {point}, vectorized="auto"): "auto" decides by timing the first call, at each '
        f'size n, of the function that {op}(f, vectorized="auto") returns, and keeps the '
        f"faster way for its later calls; one call has nothing to amortise that over. "
        f'Call that function (g = {op}(f, vectorized="auto"); g({point})), or pass '
        "vectorized=True or vectorized=False")


class _NotForArrays(Exception):
    """f cannot take an array (AutoBound's vectorized attempt)."""


def _plain_result(r):
    """r holds floats only: not the Dual-valued result of a nested call."""
    parts = r if isinstance(r, tuple) else (r,)
    return all(isinstance(p, float) or (isinstance(p, np.ndarray) and p.dtype == np.float64)
               for p in parts)


class AutoBound:
    """op(f, x) without a point, with vectorized="auto": at each size n of x
    not seen before, it evaluates f both ways (sparse numbers first, then
    the vectorized array), times each with perf_counter (twice each where
    the first times are within AUTO_CLOSE of each other, the faster of the
    two counting), returns the result of the faster way and keeps that way
    for its later calls at that n.

    The sparse way is kept where f cannot take an array, by the test
    ``derivative`` of an ndarray uses: f raises ArrayUnsupported, or a
    TypeError or ValueError not raised inside dualdiff's own code (or its
    result raises ArrayUnsupported).  Any other error propagates, and
    nothing is kept.  Past AUTO_SEED_BYTES the vectorized way is not tried.
    Nested calls (x, or f through a closure, carries an enclosing derivative
    call's perturbation) take the nested path, untimed and unrecorded.
    """

    def __init__(self, op, f, nested, rows):
        self._op, self._f, self._nested, self._rows = op, f, nested, rows
        self._lock = threading.Lock()   # guards the writing of _choices: {n: vectorized?}
        self._choices = {}
        fname = getattr(f, "__name__", type(f).__name__)
        self.__name__ = self.__qualname__ = f"{op.__name__}_of_{fname}"
        point = "x, v" if isinstance(self, _AutoBound2) else "x"
        self.__doc__ = (f"{op.__name__}({fname}, {point}) as a function of {point}, "
                        "vectorized or not: whichever its first call at each n found faster.")

    @property
    def vectorized_choices(self):
        """{n: True (vectorized) or False (sparse)}: a copy of the ways kept."""
        with self._lock:
            return dict(self._choices)

    def __repr__(self):
        return f"<{self.__name__}, vectorized='auto', choices {self.vectorized_choices}>"

    def __reduce__(self):
        # the ways kept are timings of this process: the copy times afresh
        return (_rebuild_auto, (self._op, self._f))

    def _call(self, x, rest, args=()):
        op, f = self._op, self._f
        if args:   # f's extra arguments, as scipy.optimize passes them: jac(x, *args)
            f = _common.WithArgs(f, args)

        def probe(arg):
            return self._probe(f, arg)

        if self._nested(x):   # inside a derivative call: its own path
            return op(f, x, *rest)
        x = vector_point(x, op.__name__)
        n = x.size
        with self._lock:
            choice = self._choices.get(n)
        if choice is not None:
            return op(f, x, *rest, vectorized=choice)
        # the first call at this n: both ways, timed (sparse first: an error
        # of f's own then propagates as it would with vectorized=False)
        t0 = perf_counter()
        sparse = op(f, x, *rest, vectorized=False)
        t1 = perf_counter()
        if not _plain_result(sparse):   # nested through a closure: nothing to choose
            return sparse
        vec, choice = None, False
        if self._rows(n) * n * 8 <= AUTO_SEED_BYTES:
            try:
                vec = op(probe, x, *rest, vectorized=True)
                t_sparse, t_vec = t1 - t0, perf_counter() - t1
                if max(t_sparse, t_vec) < AUTO_CLOSE * min(t_sparse, t_vec):
                    # a close call: a first evaluation can pay for warming up
                    # (measured up to 3x), so each way once more, the faster
                    # of its two times counting
                    t0 = perf_counter()
                    op(f, x, *rest, vectorized=False)
                    t1 = perf_counter()
                    op(probe, x, *rest, vectorized=True)
                    t_sparse = min(t_sparse, t1 - t0)
                    t_vec = min(t_vec, perf_counter() - t1)
                choice = t_vec < t_sparse   # a tie keeps the default
            except (_NotForArrays, _array.ArrayUnsupported):   # also one of f's result
                pass
        with self._lock:   # another thread may have chosen meanwhile: its choice stands
            choice = self._choices.setdefault(n, choice)
        return vec if choice and vec is not None else sparse

    @staticmethod
    def _probe(f, arg):
        """f(arg); _NotForArrays where f cannot take an array."""
        try:
            return f(arg)
        except (TypeError, ValueError) as exc:
            if not isinstance(exc, _array.ArrayUnsupported) and _array._raised_inside_dualdiff(exc):
                raise
        raise _NotForArrays   # outside the except block: no chained traceback


_FLOAT64 = np.dtype(np.float64)


def _rebuild_auto(op, f):
    return op(f, vectorized="auto")


class _AutoBound1(AutoBound):
    def __call__(self, x, *args):
        # the steady state: a float64 vector of a size already timed (a dict
        # read needs no lock: it is atomic, and entries are never changed)
        if not args and type(x) is np.ndarray and x.dtype is _FLOAT64 and x.ndim == 1:
            choice = self._choices.get(x.shape[0])
            if choice is not None:
                return self._op(self._f, x, vectorized=choice)
        return self._call(x, (), args)


class _AutoBound2(AutoBound):
    def __call__(self, x, v, *args):
        if not args and type(x) is np.ndarray and x.dtype is _FLOAT64 and x.ndim == 1:
            choice = self._choices.get(x.shape[0])
            if choice is not None:
                return self._op(self._f, x, v, vectorized=choice)
        return self._call(x, (v,), args)


def vector_point(x, op):
    """x as a float64 ndarray of at least one dimension (any shape: the
    derivatives then have x's shape); TypeError or ValueError otherwise."""
    if type(x) is np.ndarray and x.dtype == np.float64 and x.ndim >= 1:
        return x   # the common case, without a copy: nothing here writes to x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        raise TypeError(f"{op}() expects x to be a list, tuple or ndarray of real "
                        f"numbers, not a scalar {type(x).__name__!r}: use derivative() "
                        "for a function of one variable")
    if not isinstance(x, (list, tuple, np.ndarray)):
        raise _common.operand_error(op, x, "a list, tuple or ndarray of real numbers")
    _common.refuse_masked(op, x)
    arr = np.asarray(x)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.integer)
                                   or np.issubdtype(arr.dtype, np.floating)
                                   or arr.dtype == bool):
        raise TypeError(f"{op}() expects x of real numbers, not an array of {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{op}() expects an x of at least one dimension, not a 0-d array: "
                         "use derivative() for a function of one variable")
    return arr.astype(np.float64)


def bind(op, f, vectorized, nested, args=()):
    """op(f) without a point: the function of x (of x and v for jvp and hvp),
    which passes extra arguments on to f (g(x, *args)).

    `nested(x)` says x carries an enclosing derivative call's perturbation.
    """
    mode = vectorized_mode(vectorized, op.__name__)
    points = 2 if op.__name__ in ("jvp", "hvp") else 1
    options = {"args": args} if args != () else {}
    if mode != "auto":
        return _common.Bound(op, f, points, vectorized=mode, **options)
    if not callable(f):
        raise TypeError(f"{op.__name__}() expects a callable f, not {type(f).__name__!r}")
    if args != ():
        f = _common.with_args(f, args, op.__name__)
    # tangent rows of the vectorized seed: n directions, one for jvp, n + n*n for a Hessian
    rows = {"jvp": lambda n: 1, "hessian": lambda n: n + n * n,
            "hvp": lambda n: n + n * n}.get(op.__name__, lambda n: n)
    return (_AutoBound2 if points == 2 else _AutoBound1)(op, f, nested, rows)


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


def operators(backend):
    """The multivariate derivative operators over `backend`'s number types.

    `backend` provides GradientDual, HessianDual, Dual, gradient_seeds(x, tag),
    hessian_seeds(x, tag), DirectionalDual and hvp_seeds(x, v, tag), its
    `tags` (as array_types takes them) and `nesting`, and `module`, the name
    of the module that exports the operators.

    Each call seeds its numbers with a fresh tag and reads from f's result
    only the partials of its own tag: a number of another call (kept from an
    earlier call, or an enclosing call's) is a constant to it.
    """
    GradientDual, Dual, seeds = backend.GradientDual, backend.Dual, backend.gradient_seeds
    tags, nesting = backend.tags, backend.nesting
    DualArray = backend.DualArray
    HessianArray = type("HessianArray", (_array.HessianArrayBase,),
                        {"__slots__": (), "_kernels": DualArray._kernels,
                         "__module__": DualArray.__module__})
    HessianDual, hessian_seeds = backend.HessianDual, backend.hessian_seeds
    DirectionalDual, hvp_seeds = backend.DirectionalDual, backend.hvp_seeds
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

    def _mode(vectorized, op, point="x"):
        """The vectorized= of a call with a point: True or False ("auto" needs none)."""
        mode = vectorized_mode(vectorized, op)
        if mode == "auto":
            raise auto_needs_binding(op, point)
        return mode

    def _scalar(y, op):
        """The one number f returned (a 0-d array counts, as np.sum returns)."""
        if isinstance(y, np.ndarray) and y.ndim == 0:
            y = y[()]
        return y

    def _partials(y, n, op, tag):
        y = _scalar(y, op)
        arr = _array_result(y, n, op, tag)
        if arr is not None:
            if np.ndim(arr[0]) != 0:
                raise _common.result_error(op, y)
            return float(arr[0]), np.array(arr[1], dtype=np.float64)
        if type(y) is GradientDual:
            # of another call (kept from an earlier one): a constant here
            return y.real, y.gradient(n) if tags.of(y) == tag else np.zeros(n)
        if type(y) is Dual or type(y) is NestedDual:
            # an enclosing derivative call's number: redo the work nested
            raise _common.nested_call_error(y, GradientDual(0.0))
        if isinstance(y, numbers.Real) and not isinstance(y, bool):
            return float(y), np.zeros(n)
        raise _common.result_error(op, y)

    def _evaluate(f, x, op, vectorized=False):
        """(f's result, the point as a float64 ndarray, the call's tag) from
        one evaluation of f."""
        if not callable(f):
            raise TypeError(f"{op}() expects a callable f, not {type(f).__name__!r}")
        x = vector_point(x, op)
        n = x.size
        tag = tags.new()
        if vectorized:
            # one direction per variable: the tangent rows are the identity
            with _common.user_fp_errors(op):   # NumPy's warnings point at f's line
                return f(DualArray._new(x, np.eye(n).reshape((n,) + x.shape), tag)), x, tag
        if x.ndim == 1:
            return f(seeds(x, tag)), x, tag
        return f(seeds(x.ravel(), tag).reshape(x.shape)), x, tag

    def _array_result(y, n, op, tag):
        """(values, partials of shape values.shape + (n,)) of f's result at the
        DualArray of n directions; None if y is not such an array."""
        if isinstance(y, DualArray) and y._tag == tag:
            rows = y._t
            if rows.shape[0] != n:
                raise _common.result_error(op, y)
            return y._re, np.moveaxis(rows, 0, -1) if rows.ndim > 1 else rows
        if type(y) is Dual and tags.of(y) == tag:   # an element of one direction (n = 1)
            return np.float64(y.real), np.array([y.dual])
        if isinstance(y, DualArray):   # of another call (kept from an earlier one): a constant
            return y._re, np.zeros(y._re.shape + (n,))
        if type(y) is Dual:   # maybe an enclosing call's: redo the work nested
            raise _common.mixed_perturbation_error("DualArray", y)
        if isinstance(y, _common.ARRAY_BASE):
            raise _common.result_error(op, y)
        return None

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
            return bind(gradient, f, vectorized, _perturbed, args)
        vectorized = _mode(vectorized, "gradient")
        f = _common.with_args(f, args, "gradient")
        if _perturbed(x):   # inside a derivative call
            return _nested_gradient(f, x, "gradient")
        try:
            y, x, tag = _evaluate(f, x, "gradient", vectorized)
            return _partials(y, x.size, "gradient", tag)[1].reshape(x.shape)
        except _common.NestedCallError:   # inside a derivative call, through a closure
            return _nested_gradient(f, x, "gradient")

    def value_and_gradient(f, x=..., *, vectorized=False, args=()):
        """value_and_gradient(f, x, *, vectorized=False, args=()) -> (f(x), gradient of f at x) from one evaluation.

        vectorized and args as for gradient().  Without x, returns the
        function x -> value_and_gradient(f, x).

        >>> import dualdiff as dd
        >>> dd.value_and_gradient(lambda v: v[0] * v[1], [3.0, 4.0])
        (12.0, array([4., 3.]))
        """
        if x is ...:   # no point: return the function
            return bind(value_and_gradient, f, vectorized, _perturbed, args)
        vectorized = _mode(vectorized, "value_and_gradient")
        f = _common.with_args(f, args, "value_and_gradient")
        if _perturbed(x):   # inside a derivative call
            return f(np.asarray(x, dtype=object)), _nested_gradient(f, x, "value_and_gradient")
        try:
            y, x, tag = _evaluate(f, x, "value_and_gradient", vectorized)
            value, g = _partials(y, x.size, "value_and_gradient", tag)
        except _common.NestedCallError:   # inside a derivative call, through a closure
            return (f(np.asarray(vector_point(x, "value_and_gradient"), dtype=object)),
                    _nested_gradient(f, x, "value_and_gradient"))
        return value, g.reshape(x.shape)

    def _jacobian(f, x, op, vectorized):
        """(f(x), the Jacobian of f at x, of shape f(x).shape + x.shape)."""
        y, x, tag = _evaluate(f, x, op, vectorized)
        n = x.size
        arr = _array_result(_scalar(y, op), n, op, tag)
        if arr is not None:
            values, partials = arr
            values = float(values) if np.ndim(values) == 0 else np.array(values)
            return values, np.array(partials, dtype=np.float64).reshape(np.shape(values) + x.shape)
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
                values[index], out[index] = _partials(yi, n, op, tag)
            return values, out.reshape(outputs.shape + x.shape)
        value, g = _partials(y, n, op, tag)
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
            return bind(jacobian, f, vectorized, _perturbed, args)
        vectorized = _mode(vectorized, "jacobian")
        f = _common.with_args(f, args, "jacobian")
        if _perturbed(x):   # inside a derivative call
            return _nested_jacobian(f, x)
        try:
            return _jacobian(f, x, "jacobian", vectorized)[1]
        except _common.NestedCallError:   # inside a derivative call, through a closure
            return _nested_jacobian(f, x)

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
            return bind(value_and_jacobian, f, vectorized, _perturbed, args)
        vectorized = _mode(vectorized, "value_and_jacobian")
        f = _common.with_args(f, args, "value_and_jacobian")
        if _perturbed(x):
            raise TypeError("value_and_jacobian() inside a derivative call is not supported; "
                            "call f and jacobian() separately there")
        return _jacobian(f, x, "value_and_jacobian", vectorized)

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
            return bind(jvp, f, vectorized, _perturbed, args)
        vectorized = _mode(vectorized, "jvp", "x, v")
        if not callable(f):
            raise TypeError(f"jvp() expects a callable f, not {type(f).__name__!r}")
        f = _common.with_args(f, args, "jvp")
        if v is ...:
            raise TypeError("jvp() expects a direction v with the point x")
        v = vector_point(v, "jvp")
        if _perturbed(x):   # inside a derivative call, x holds its numbers
            x = np.asarray(x, dtype=object)
        else:
            x = vector_point(x, "jvp")
        if v.shape != x.shape:
            raise ValueError(f"jvp() expects v of the shape of x {x.shape}, not {v.shape}")
        if vectorized and x.dtype != object:
            try:
                return _vectorized_jvp(f, x, v)
            except _common.NestedCallError:   # another call's numbers met: the numbers' way
                pass
        return _jvp_numbers(f, x, v)

    def _jvp_numbers(f, x, v):
        """J(x) v from one evaluation of f at the numbers x + eps v of a fresh
        call: Duals, or nested numbers where x holds an enclosing call's."""
        tag = tags.new()
        seeds = np.empty(x.size, dtype=object)
        for i, (xi, vi) in enumerate(zip(x.ravel().tolist(), v.ravel().tolist())):
            if type(xi) is Dual or type(xi) is NestedDual:
                seeds[i] = nesting.seed(xi, tag, vi)
            else:
                seeds[i] = tags.dual(float(xi), vi, tag)
        return _jvp_result(f(seeds.reshape(x.shape)), tag)

    def _jvp_result(y, tag):
        """The tangents of f's result (a number, or a list, tuple or ndarray of
        them) along the call `tag`: an enclosing call's Duals where they
        depend on it, else floats."""
        def tangent(yi):
            return nesting.tangent(_scalar(yi, "jvp"), tag, "jvp")

        if isinstance(y, (list, tuple)) or (isinstance(y, np.ndarray) and y.ndim > 0):
            outputs = np.asarray(y, dtype=object)
            out = np.empty(outputs.size, dtype=object)
            for i, yi in enumerate(outputs.ravel()):
                out[i] = tangent(yi)
            out = out.reshape(outputs.shape)
            return out if any(type(t) is not float for t in out.flat) else out.astype(np.float64)
        return tangent(y)

    def _vectorized_jvp(f, x, v):
        """J(x) v from one evaluation of f at one DualArray(x, v)."""
        tag = tags.new()
        with _common.user_fp_errors("jvp"):
            y = _scalar(f(DualArray._new(x, v[np.newaxis], tag)), "jvp")
        if isinstance(y, DualArray) and y._tag == tag:
            return float(y.dual) if y.ndim == 0 else np.array(y.dual)
        if isinstance(y, _common.ARRAY_BASE) or isinstance(y, _common.NUMBER_TYPES):
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
        return _jvp_result(y, tag)

    def _hessian_of(f, x, op, vectorized=False):
        """The Hessian of f at x, of shape x.shape + x.shape."""
        if not callable(f):
            raise TypeError(f"{op}() expects a callable f, not {type(f).__name__!r}")
        x = vector_point(x, op)
        return _flat_hessian(f, x, op, vectorized).reshape(x.shape + x.shape)

    def _flat_hessian(f, x, op, vectorized):
        """The (n, n) Hessian of f at the float64 ndarray x, n = x.size."""
        n = x.size
        if vectorized:
            return _vectorized_hessian(f, x, op)
        tag = tags.new()
        return _hessian_result(f(hessian_seeds(x.ravel(), tag).reshape(x.shape)), n, op, tag)

    def _hessian_result(y, n, op, tag):
        y = _scalar(y, op)
        if type(y) is HessianDual:   # of another call (kept from an earlier one): a constant
            return y.hessian(n) if tags.of(y) == tag else np.zeros((n, n))
        if isinstance(y, numbers.Real) and not isinstance(y, bool):
            return np.zeros((n, n))
        raise _common.result_error(op, y)

    def _vectorized_hessian(f, x, op):
        """The Hessian from one evaluation of f at a HessianArray: n first-order
        rows (the identity) and n * n second-order rows (zero)."""
        n = x.size
        rows = np.zeros((n + n * n, n))
        rows[:n] = np.eye(n)
        tag = tags.new()
        with _common.user_fp_errors(op):
            y = _scalar(f(HessianArray._new(x, rows.reshape((n + n * n,) + x.shape), tag)), op)
        if isinstance(y, HessianArray):
            if y._tag != tag:   # of another call (kept from an earlier one): a constant
                return np.zeros((n, n))
            if y.ndim != 0:
                raise _common.result_error(op, y)
            return symmetric(np.array(HessianArray._split(y._t)[1], dtype=np.float64))
        if type(y) is Dual or isinstance(y, _common.ARRAY_BASE):
            raise _common.result_error(op, y)
        if isinstance(y, numbers.Real) and not isinstance(y, bool):
            return np.zeros((n, n))
        raise _common.result_error(op, y)

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
            return bind(hessian, f, vectorized, _perturbed, args)
        return _hessian_of(_common.with_args(f, args, "hessian"), x, "hessian",
                           _mode(vectorized, "hessian"))

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
            return bind(hvp, f, vectorized, _perturbed, args)
        vectorized = _mode(vectorized, "hvp", "x, v")
        if v is ...:
            raise TypeError("hvp() expects a direction v with the point x")
        f = _common.with_args(f, args, "hvp")
        x = vector_point(x, "hvp")
        v = vector_point(v, "hvp")
        if v.shape != x.shape:
            raise ValueError(f"hvp() expects v of the shape of x {x.shape}, not {v.shape}")
        if vectorized:
            h = _hessian_of(f, x, "hvp", vectorized).reshape(x.size, x.size)
            flat = v.ravel()
            used = flat != 0.0   # zero stays zero: an infinite entry times a zero component is 0
            return (h[:, used] @ flat[used]).reshape(x.shape)
        if not callable(f):
            raise TypeError(f"hvp() expects a callable f, not {type(f).__name__!r}")
        tag = tags.new()
        seeds = hvp_seeds(x.ravel(), v.ravel(), tag)
        y = _scalar(f(seeds if x.ndim == 1 else seeds.reshape(x.shape)), "hvp")
        if type(y) is DirectionalDual:   # of another call (kept from an earlier one): a constant
            if tags.of(y) != tag:
                return np.zeros(x.shape)
            return y.tangent.gradient(x.size).reshape(x.shape)
        if isinstance(y, numbers.Real) and not isinstance(y, bool):
            return np.zeros(x.shape)
        raise _common.result_error("hvp", y)

    def gradient_result(y, n, tag):
        """The gradient from f's result y at the seeds of the call `tag` (for
        a compiled fast path of gradient)."""
        return _partials(y, n, "gradient", tag)[1]

    def hessian_result(y, n, tag):
        """The Hessian from f's result y at the seeds of the call `tag` (for a
        compiled fast path of hessian)."""
        return _hessian_result(y, n, "hessian", tag)

    def bind_compiled(op, f, vectorized, args=()):
        """op(f) without a point, for a compiled fast path `op` (so that the
        function returned calls it)."""
        return bind(op, f, vectorized, _perturbed, args)

    public = (gradient, value_and_gradient, jacobian, value_and_jacobian, jvp, hessian, hvp)
    for op in public:   # what the backend module exports them as: so they pickle by name
        op.__module__, op.__qualname__ = backend.module, op.__name__
    return {"gradient": gradient, "value_and_gradient": value_and_gradient,
            "jacobian": jacobian, "value_and_jacobian": value_and_jacobian,
            "jvp": jvp, "hessian": hessian, "hvp": hvp,
            "gradient_result": gradient_result, "hessian_result": hessian_result,
            "bind": bind_compiled}
