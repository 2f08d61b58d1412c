"""The point an operator is called at, and the one number f returns.

Helpers of ``dualdiff.api``'s operators that need no backend, or take it
as their first argument (the module that implements ``dualdiff._backend``).
"""

import numbers

import numpy as np

from dualdiff import _common


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


def perturbed(backend, x):
    """x holds numbers of an enclosing derivative call (it is nested)."""
    if isinstance(x, np.ndarray) and x.dtype != object:
        return False
    if not isinstance(x, (list, tuple, np.ndarray)):
        return False
    Dual, NestedDual = backend.Dual, backend.NestedDual
    return any(type(e) is Dual or type(e) is NestedDual
               for e in np.ravel(np.asarray(x, dtype=object)))


def scalar(y):
    """The one number f returned (a 0-d array counts, as np.sum returns)."""
    if isinstance(y, np.ndarray) and y.ndim == 0:
        y = y[()]
    return y
