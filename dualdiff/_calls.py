"""What the derivative operators of both backends share: extra arguments,
functions bound without a point, point-by-point evaluation, and NumPy's
floating-point warnings reported at the user's line.
"""

import math
import numbers
import os
import sys
import warnings

import numpy as np

from dualdiff import _common
from dualdiff._common import OWN_MATH_ERRORS, operand_error

# ---------------------------------------------------------------------------
# Derivative operators
# ---------------------------------------------------------------------------

def extra_args(args, op):
    """The extra arguments of f as a tuple (a single non-tuple counts as one,
    as scipy.optimize takes ``args=``)."""
    if isinstance(args, tuple):
        return args
    if isinstance(args, list):
        return tuple(args)
    return (args,)


class WithArgs:
    """f(x, *args) as a function of x: the f of a call given ``args=``."""

    __slots__ = ("f", "args")

    def __init__(self, f, args):
        self.f, self.args = f, args

    def __call__(self, x):
        return self.f(x, *self.args)


def with_args(f, args, op):
    """f itself, or f with its extra arguments bound (``args=`` of op)."""
    if args == ():
        return f
    if not callable(f):
        raise TypeError(f"{op}() expects a callable f, not {type(f).__name__!r}")
    return WithArgs(f, extra_args(args, op))


class Bound:
    """op(f, x, **options) as a function of x: what ``derivative(f)``,
    ``gradient(f)``, ... return without a point.

    Called as g(x, *args), it passes the extra arguments on to f (op(f, x,
    args=args)), as scipy.optimize calls ``jac(x, *args)``.  It pickles
    when f and op do (a module-level f), so it can go to a process pool.
    """

    def __init__(self, op, f, points=1, **options):
        if not callable(f):
            raise TypeError(f"{op.__name__}() expects a callable f, not {type(f).__name__!r}")
        self._op, self._f, self._points, self._options = op, f, points, options
        fname = getattr(f, "__name__", type(f).__name__)
        point = "x, v" if points == 2 else "x"
        self.__name__ = self.__qualname__ = f"{op.__name__}_of_{fname}"
        self.__doc__ = f"{op.__name__}({fname}, {point}) as a function of {point}."

    def __call__(self, *xs):
        points = self._points
        if len(xs) < points:
            raise TypeError(f"{self.__name__}() takes the point{'s x, v' if points == 2 else ' x'}"
                            f" and f's extra arguments; {len(xs)} arguments given")
        if len(xs) == points:
            return self._op(self._f, *xs, **self._options)
        options = dict(self._options)
        options["args"] = extra_args(options.get("args", ()), self._op.__name__) + xs[points:]
        return self._op(self._f, *xs[:points], **options)

    def __repr__(self):
        return f"<{self.__name__}>"

    def __reduce__(self):
        return (_rebuild_bound, (self._op, self._f, self._points, self._options))


def _rebuild_bound(op, f, points, options):
    return Bound(op, f, points, **options)


def bind(op, f, **options):
    """bind(op, f, **options) -> the function x -> op(f, x, **options), for
    ``derivative(f)`` without x."""
    return Bound(op, f, **options)


_LIBRARY_DIRS = tuple(os.path.dirname(os.path.abspath(m.__file__)) + os.sep for m in (np, sys.modules[__name__]))


def _library_frame(frame):
    """The frame runs dualdiff's code (Python or Cython) or NumPy's."""
    name = frame.f_code.co_filename
    return name.endswith((".pyx", ".pxi")) or os.path.abspath(name).startswith(_LIBRARY_DIRS)


def warn_at_user(message, category=RuntimeWarning):
    """warnings.warn(message, category), attributed to the innermost frame
    outside dualdiff and NumPy: the user's line, not the library's."""
    frame, level = sys._getframe(1), 2
    while frame is not None and _library_frame(frame):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level if frame is not None else 2)


def report_fp_error(exc_type, where):
    """Report a floating-point error as NumPy would, honouring np.errstate."""
    category, text = OWN_MATH_ERRORS[exc_type]
    _report(category, text.format(where))


def _report(category, message):
    mode = np.geterr()[category]
    if mode == "ignore":
        return
    if mode == "raise":
        raise FloatingPointError(message)
    if mode == "call":
        np.geterrcall()(message, category)
        return
    warn_at_user(message)


#: NumPy's errstate categories by the name its error callback is given.
_CATEGORIES = {"divide by zero": "divide", "overflow": "over", "underflow": "under",
               "invalid value": "invalid"}


class user_fp_errors:
    """with user_fp_errors(where): NumPy's floating-point warnings raised inside
    (by dualdiff's arrays or by f's own NumPy code) point at the user's line,
    not at dualdiff's, reading "... encountered in <where>".  Categories the
    user set to anything but "warn" (np.errstate) are left as they are."""

    __slots__ = ("_where", "_state")

    def __init__(self, where):
        self._where = where

    def __enter__(self):
        modes = np.geterr()
        if "warn" not in modes.values():
            self._state = None
            return self
        where, previous = self._where, np.geterrcall()

        def call(kind, flag):
            category = _CATEGORIES.get(kind, "invalid")
            if modes[category] == "call":   # the user's own callback
                previous(kind, flag)
            else:
                warn_at_user(f"{kind} encountered in {where}")

        self._state = np.errstate(call=call, **{c: "call" for c, m in modes.items()
                                                if m in ("warn", "call")})
        self._state.__enter__()
        return self

    def __exit__(self, *exc):
        if self._state is not None:
            self._state.__exit__(*exc)
        return False


def elementwise(op, f, x):
    """op(f, x) for an ndarray x, one element at a time, with NumPy's semantics.

    An element where one of dualdiff's functions leaves its domain (its
    DomainError, PoleError or RangeError, subclasses of the math module's
    ValueError, ZeroDivisionError and OverflowError) gives nan, reported once
    per kind as NumPy reports it (RuntimeWarning, under np.errstate).  Any
    other exception raised in f propagates unchanged, as at a scalar point.
    """
    x = np.asarray(x)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise operand_error(op.__name__, x, "a real number or an ndarray of real numbers")
    width = 2 if op.__name__ == "value_and_derivative" else 1
    # objects first: inside an enclosing derivative call the results are its Duals
    out = np.empty((width,) + x.shape, dtype=object)
    failed = []
    for index, v in np.ndenumerate(x):
        try:
            r = op(f, float(v))
        except tuple(OWN_MATH_ERRORS) as exc:
            r = (math.nan,) * width if width == 2 else math.nan
            kind = type(exc)
            if kind not in failed:
                failed.append(kind)
        if width == 2:
            out[(0,) + index], out[(1,) + index] = r
        else:
            out[(0,) + index] = r
    for kind in failed:
        report_fp_error(kind, op.__name__)
    parts = tuple(_floats_if_plain(part) for part in out)
    return parts if width == 2 else parts[0]


def _floats_if_plain(a):
    """An object array as float64 where it holds plain numbers only."""
    if all(type(e) is float or (isinstance(e, numbers.Real) and not isinstance(e, _common.NUMBER_TYPES))
           for e in a.flat):
        return a.astype(np.float64)
    return a


def point_error(op, x):
    return operand_error(op, x, "a real number (int or float) or an ndarray")


def result_error(op, y):
    return TypeError(
        f"{op}(): f returned {type(y).__name__!r}, not a number; f must return a "
        "real number computed from its argument (use dualdiff's functions, not math's)"
    )
