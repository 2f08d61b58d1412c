"""The derivative calls at a point, the tags of calls and the nesting of the
pure-Python backend: a mirror of dualdiff/_derivative.pxi.
"""

import numpy as np

from dualdiff import _common
from dualdiff import arrays as _array_module
from dualdiff._pure._numbers import (
    _ARRAY_TYPES, _TAGS, Dual, HyperDual, NestedDual, _dual, _hyper, _nesting, _to_double,
)

# ---------------------------------------------------------------------------
# Derivatives at a point
# ---------------------------------------------------------------------------


def _point(x, op):
    """float(x) for a real number; None for an ndarray; TypeError otherwise."""
    if isinstance(x, (Dual, HyperDual, str, bytes)):
        raise _common.point_error(op, x)
    a = _to_double(x)
    if a is not None:
        return a
    if isinstance(x, np.ndarray):
        return None
    raise _common.point_error(op, x)


def _real_result(y, op):
    if isinstance(y, (Dual, HyperDual)) or _to_double(y) is None:
        raise _common.result_error(op, y)
    return _to_double(y)


def derivative(f, x=..., *, args=()):
    """derivative(f, x, *, args=()) -> f'(x), exactly, by one evaluation of f at a Dual.

    Without x, returns the function x -> f'(x).  An ndarray x is taken
    elementwise (f must then act elementwise: a ValueError says which
    operation of f mixed the elements).  ``args`` are passed on to f, as
    f(x, *args), as scipy does.

    >>> import dualdiff as dd
    >>> dd.derivative(lambda x: x**3 + 2*x**2 - x + 1, 2.0)
    19.0
    >>> fprime = dd.derivative(dd.sin)
    >>> fprime(0.0)
    1.0
    """
    if x is ...:   # no point: return the derivative function
        return _common.bind(derivative, f, **({"args": args} if args != () else {}))
    if args != ():
        f = _common.with_args(f, args, "derivative")
    if type(x) is Dual or type(x) is NestedDual:   # inside another derivative call
        return _nesting.derivative(f, x, next(_TAGS))
    a = _point(x, "derivative")
    if a is None:
        return _array_module.elementwise_derivative(derivative, _ARRAY_TYPES, f, x)
    tag = next(_TAGS)
    y = f(_dual(a, 1.0, tag))
    if type(y) is Dual:   # of another tag: y does not depend on this call's variable
        return y._du if y._tag == tag else 0.0
    if type(y) is NestedDual:
        return _nesting.tangent(y, tag, "derivative")
    _real_result(y, "derivative")
    return 0.0


def second_derivative(f, x=..., *, args=()):
    """second_derivative(f, x, *, args=()) -> f''(x), exactly, by one evaluation of f at a HyperDual.

    Without x, returns the function x -> f''(x).  An ndarray x is taken
    elementwise.  ``args`` are passed on to f, as f(x, *args).

    >>> import dualdiff as dd
    >>> dd.second_derivative(lambda x: x**4, 2.0)
    48.0
    """
    if x is ...:   # no point: return the derivative function
        return _common.bind(second_derivative, f, **({"args": args} if args != () else {}))
    if args != ():
        f = _common.with_args(f, args, "second_derivative")
    if type(x) is Dual or type(x) is NestedDual:   # inside a derivative call
        raise _common.order_mix_error(x, HyperDual(0.0))
    a = _point(x, "second_derivative")
    if a is None:
        return _array_module.elementwise_derivative(second_derivative, _ARRAY_TYPES, f, x)
    tag = next(_TAGS)
    y = f(_hyper(a, 1.0, 1.0, 0.0, tag))
    if type(y) is HyperDual:   # of another call (or built by hand): a constant here
        return y._e12 if y._tag == tag else 0.0
    _real_result(y, "second_derivative")
    return 0.0


def value_and_derivative(f, x=..., *, args=()):
    """value_and_derivative(f, x, *, args=()) -> (f(x), f'(x)) from one evaluation of f.

    Without x, returns the function x -> (f(x), f'(x)).  An ndarray x is
    taken elementwise (two ndarrays).  ``args`` are passed on to f, as
    f(x, *args).

    >>> import dualdiff as dd
    >>> dd.value_and_derivative(lambda x: x**3 + 2*x**2 - x + 1, 2.0)
    (15.0, 19.0)
    """
    if x is ...:   # no point: return the derivative function
        return _common.bind(value_and_derivative, f, **({"args": args} if args != () else {}))
    if args != ():
        f = _common.with_args(f, args, "value_and_derivative")
    if type(x) is Dual or type(x) is NestedDual:   # inside another derivative call
        return _nesting.value_and_derivative(f, x, next(_TAGS))
    a = _point(x, "value_and_derivative")
    if a is None:
        return _array_module.elementwise_derivative(value_and_derivative, _ARRAY_TYPES, f, x)
    tag = next(_TAGS)
    y = f(_dual(a, 1.0, tag))
    if type(y) is Dual:
        if y._tag == tag:
            return (y._re, y._du)
        return (y, 0.0)   # depends on an outer call's variable only
    if type(y) is NestedDual:
        return (_nesting.value(y, tag), _nesting.tangent(y, tag, "value_and_derivative"))
    return (_real_result(y, "value_and_derivative"), 0.0)
