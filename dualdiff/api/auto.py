"""vectorized="auto": the function an operator returns without a point times
both ways at its first call at each size n and keeps the faster.

``bind(op, f, vectorized, nested, args)`` is what every operator of
``dualdiff.api`` returns when called without a point: a ``_common.Bound``,
or with vectorized="auto" an ``AutoBound``.  The sparse way (f at sparse
numbers) is faster where intermediate values each involve a few variables
(Rosenbrock); the vectorized way (f at one array carrying n dense tangent
directions) where they involve many (matrix products, softmax, logsumexp)
and n is not small.  The timing uses this module's ``perf_counter`` and
``AUTO_SEED_BYTES``, read at each call (the tests substitute a fake clock).
"""

import numbers
import threading
from time import perf_counter   # read at each first call: tests substitute a fake clock

import numpy as np

from dualdiff import _common
from dualdiff import arrays as _array
from dualdiff.api.points import vector_point

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


def call_mode(vectorized, op, point="x"):
    """The vectorized= of a call with a point: True or False ("auto" needs none)."""
    mode = vectorized_mode(vectorized, op)
    if mode == "auto":
        raise auto_needs_binding(op, point)
    return mode
