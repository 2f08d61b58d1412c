"""The public functions of the pure-Python backend, from the spec (dualdiff/_spec.py).

A mirror of dualdiff/_functions.pxi and the functions _codegen.py generates
for the compiled backend: the plain rules' functions are made from the spec,
those with parameters are written here and take their docstrings from it;
the number types' methods for them are set here too.
"""

import numpy as np

from dualdiff import _common, _spec
from dualdiff._pure import _arrays
from dualdiff._pure import _rules as R
from dualdiff._pure._numbers import (
    _ATAN2, _HYPOT, _POW, FUNCTIONS, Dual, HyperDual, NestedDual, _arg, _binary, _coefficients,
    _leaky, _Number, _to_double, _unary,
)

# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def _public(f):
    """The public function of a plain rule of the spec."""
    name = f.name

    def function(x):
        return _unary(x, name, name)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f.docstring
    return function


def _documented(function):
    """A hand-written public function, given its spec entry's docstring."""
    function.__doc__ = _spec.BY_NAME[function.__name__].docstring
    return function


@_documented
def log(x, base=None):
    if base is None:
        return _unary(x, "log", "log")
    return _log_base(x, base)


def _log_base(x, base):
    """log(x, base): the log-base rule, log(base) its parameter (as leaky_relu's
    alpha), for a number x and a real-number base, with math.log's errors;
    ndarrays follow NumPy (np.log(x) / np.log(base), nan or inf with its
    warning, never an error); a perturbed base divides by its own log."""
    if _common.array_of_duals(x):
        return x.log(base)
    if isinstance(x, _Number) and type(x) is not NestedDual:
        b = _to_double(base)
        if b is not None:
            _coefficients("log", x._re, 0)           # math.log's errors, x first
            lnb = _coefficients("log", b, 0)[0]
            if lnb == 0.0:
                raise _common.zero_division()       # math.log(2, 1)
            return x._chain(R.log_base_rule(x._re, lnb, x._ORDER))
    elif isinstance(base, np.ndarray) or (isinstance(x, np.ndarray)
                                          and _to_double(base) is not None):
        if not (isinstance(x, np.ndarray) and x.dtype == object
                and not isinstance(base, np.ndarray)):
            return np.log(x) / np.log(base)   # NumPy's semantics
        b = _to_double(base)
        if b > 0.0 and b != 1.0:   # an object array of numbers: each by the rule
            return np.frompyfunc(lambda e: log(e, base), 1, 1)(x)
    return _unary(x, "log", "log") / _unary(base, "log", "log")


@_documented
def leaky_relu(x, alpha=0.01):
    return _leaky(x, _arg(alpha, "leaky_relu", "a real number"))


@_documented
def gelu(x, approximate=False):
    tanh = _common.gelu_form(approximate)
    if isinstance(x, (_Number, float, int)):
        return _unary(x, "gelu_tanh" if tanh else "gelu", "gelu")
    values = _arrays.float_values("gelu_tanh" if tanh else "gelu", x)
    if values is not None:
        return values
    return _common.apply_other(x, "gelu", gelu, (tanh,))


@_documented
def power(x, p):
    return _binary(x, p, _POW)


@_documented
def arctan2(y, x):
    return _binary(y, x, _ATAN2)


@_documented
def hypot(x, y):
    return _binary(x, y, _HYPOT)



# ---------------------------------------------------------------------------
# Sequences
# ---------------------------------------------------------------------------


def _floats(items):
    out = []
    for x in items:
        c = None if isinstance(x, (Dual, HyperDual)) else _to_double(x)
        if c is None:
            return None
        out.append(c)
    return out


def _logsumexp_floats(items):
    floats = _floats(items)
    return None if floats is None else R.logsumexp(floats)


def _softmax_floats(items):
    floats = _floats(items)
    return None if floats is None else R.softmax(floats)


@_documented
def logsumexp(xs, axis=None):
    return _common.reduce_items("logsumexp", xs, axis, _logsumexp_floats, (_Number,),
                                lambda items: _common.compose_logsumexp(items, FUNCTIONS["exp"], log))


@_documented
def softmax(xs, axis=None):
    return _common.reduce_items("softmax", xs, axis, _softmax_floats, (_Number,),
                                lambda items: _common.compose_softmax(items, FUNCTIONS["exp"]))


FUNCTIONS.update({f.name: _public(f) if f.impl is None else globals()[f.name] for f in _spec.FUNCTIONS})
