"""dualdiff: exact, fast derivatives by forward-mode automatic differentiation.

A dual number ``a + b*eps`` (eps**2 = 0) carries a value and its derivative
through ordinary Python code::

    >>> import dualdiff as dd
    >>> dd.derivative(lambda x: x**3 + 2*x**2 - x + 1, 2.0)
    19.0
    >>> dd.second_derivative(lambda x: x**3 + 2*x**2 - x + 1, 2.0)
    16.0

The functions of numbers (``dd.sin``, ``dd.exp``, ...) take floats, ndarrays
and every dualdiff number type; gradients, Jacobians and Hessians of
functions of several variables cost one evaluation of ``f`` each::

    >>> dd.gradient(lambda v: v[0]**2 * v[1], [3.0, 4.0])
    array([24.,  9.])
    >>> dd.hessian(lambda v: v[0]**2 * v[1], [3.0, 4.0])
    array([[8., 6.],
           [6., 0.]])

The core is C, wrapped by Cython (``dualdiff.backend == "c"``); a pure-Python
backend with the same API is used when the extension is missing or when
``DUALDIFF_PURE_PYTHON=1`` is set (``dualdiff.backend == "python"``).
"""

import os as _os

from dualdiff._public import ALIASES as _ALIASES
from dualdiff._public import PUBLIC_NAMES as _PUBLIC_NAMES
from dualdiff._public import load_backend as _load_backend
from dualdiff._public import namespace as _namespace
from dualdiff._version import __version__  # noqa: F401  (re-exported)


def _select_backend():
    if _os.environ.get("DUALDIFF_PURE_PYTHON", "") not in ("", "0"):
        return "python"
    try:
        _load_backend("c")
    except ImportError:
        return "python"
    return "c"


#: Which implementation is active: ``"c"`` (compiled) or ``"python"``.
backend = _select_backend()

# The names come from one list (dualdiff._public.PUBLIC_NAMES); writing them
# out here would be a second, and a module __getattr__ would slow every
# ``dd.derivative`` lookup on the hot path.
globals().update(vars(_namespace(backend)))

from dualdiff import finite  # noqa: E402,F401  (dd.finite, the baseline, without its own import)
from dualdiff.arrays import NotElementwiseError  # noqa: E402,F401  (derivative of an ndarray)

__all__ = sorted(set(_PUBLIC_NAMES) - {"RULE_NAMES"} | set(_ALIASES)
                 | {"backend", "__version__", "NotElementwiseError"})
