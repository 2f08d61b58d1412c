"""Plumbing shared by both backends: error messages, NumPy arrays, binding.

Nothing here differentiates: derivative rules live once per backend, in its
rule table.  What is here is how a backend talks to the outside world, so
that the compiled and pure-Python backends say the same things the same way.
"""

import math
import numbers
import sys

import numpy as np

from dualdiff import _spec

# ---------------------------------------------------------------------------
# Messages and exceptions (identical for both backends)
# ---------------------------------------------------------------------------

EDOM, ERANGE, EZERODIV = 1, 2, 3


# dualdiff's own math errors are subclasses of the math module's, so that the
# point-by-point evaluation of derivative(f, ndarray) can tell a point outside
# dualdiff's domain (NumPy semantics: nan there) from any other error raised
# in f, which must propagate unchanged.
class DomainError(ValueError):
    """A dualdiff function evaluated outside its domain (math's ValueError)."""


class PoleError(ZeroDivisionError):
    """A dualdiff division by zero, or 0.0 to a negative power (ZeroDivisionError)."""


class RangeError(OverflowError):
    """A dualdiff function whose value overflows (math's OverflowError)."""


#: The errors a point outside dualdiff's domain raises; NumPy's category and
#: wording for each, as an array would report it.
OWN_MATH_ERRORS = {
    DomainError: ("invalid", "invalid value encountered in {}"),
    PoleError: ("divide", "divide by zero encountered in {}"),
    RangeError: ("over", "overflow encountered in {}"),
}


def math_error(status, name, a):
    """The exception the math module would raise for ``name(a)``."""
    if status == ERANGE:
        return RangeError(f"math range error: {name}({a!r}) overflows")
    return DomainError(f"math domain error: {name}({a!r})")


def pow_error(status, a, p):
    """The exception Python's float ``a ** p`` would raise (ValueError for complex)."""
    if status == EZERODIV:
        return PoleError(f"0.0 cannot be raised to a negative power ({a!r} ** {p!r})")
    if status == ERANGE:
        return RangeError(f"math range error: {a!r} ** {p!r} overflows")
    return DomainError(
        f"math domain error: {a!r} ** {p!r} is not real (negative base, non-integer exponent)"
    )


def zero_division():
    return PoleError("float division by zero")


class NestedCallError(TypeError):
    """A GradientDual or HessianDual met a Dual of an enclosing derivative call.

    gradient(), value_and_gradient() and jacobian() catch it and redo the
    work as nested derivative calls, one per variable (and output); elsewhere
    it is a TypeError.
    """


def mixed_perturbation_error(x, y):
    """A dualdiff array meets a number or array of another derivative call
    (x or y may be given by its type's name)."""
    x, y = (o if isinstance(o, str) else type(o).__name__ for o in (x, y))
    return NestedCallError(
        f"a {x} and a {y} of different derivative calls meet "
        "(a derivative call inside another, an array or number kept from an earlier call, "
        "or one built by hand): their perturbations must not be added up. Over an ndarray "
        "point, derivative, second_derivative, value_and_derivative, gradient, jacobian "
        "and jvp then evaluate f point by point, where nested calls are kept apart"
    )


#: dualdiff's scalar number types of both backends (each backend registers its own).
NUMBER_TYPES = ()


def register_number_types(*types):
    global NUMBER_TYPES
    NUMBER_TYPES = NUMBER_TYPES + tuple(t for t in types if t not in NUMBER_TYPES)


def nested_call_error(x, y):
    return NestedCallError(
        f"a {type(x).__name__} and a {type(y).__name__} meet: this gradient, jacobian or "
        "hessian call runs inside a derivative call; gradient, value_and_gradient and "
        "jacobian support that (with one pass per variable), hessian does not: its "
        "derivative would be a third derivative, beyond what dualdiff nests")


def mixed_hyper_error():
    return TypeError(
        "HyperDuals of two different second_derivative calls (or one built by hand) meet: "
        "second_derivative calls do not nest, and a HyperDual made outside this call "
        "would add its own perturbation to this call's"
    )


def order_mix_error(x, y):
    """A Dual (or the nested type) meets a HyperDual: a third derivative."""
    return TypeError(
        f"a {type(x).__name__} and a {type(y).__name__} meet: second_derivative inside a "
        "derivative call, or derivative inside a second_derivative call, would be a "
        "derivative of third order, beyond what dualdiff nests (derivative and "
        "value_and_derivative nest two levels deep; second_derivative, hessian and hvp "
        "do not nest)"
    )


def unhashable_error(x):
    """hash() of a dualdiff number: refused, with the reason."""
    return TypeError(
        f"unhashable type: {type(x).__name__!r}: dualdiff's numbers compare by their real "
        "part alone, so as a dict or set key, or as the argument of a functools.lru_cache'd "
        "function, they would hand a derivative call a float's cached result or another "
        "call's number; key on .real, or leave such a function uncached"
    )


def float_error(x):
    return TypeError(
        f"float() of a {type(x).__name__} would drop its derivative part. Storing it in a "
        "float array (out = np.zeros(n); out[i] = ...)? Make the array hold numbers: "
        "out = np.zeros_like(x), x being f's argument, or np.zeros(n, dtype=object). Use "
        ".real for the value alone, and dualdiff's functions (dualdiff.sin, dualdiff.exp, "
        "...) instead of the math module's"
    )


def operand_error(func, x, accepted):
    return TypeError(f"{func}() argument must be {accepted}, not {type(x).__name__!r}")


def gelu_form(approximate):
    """gelu's approximate= as a bool (True: the tanh form): True or False
    (NumPy's bools too), or PyTorch's strings "tanh" and "none"; anything else
    is an error that lists these, never a truth value ("no" is not True)."""
    if approximate is True or approximate is False:
        return approximate
    if isinstance(approximate, np.bool_):
        return bool(approximate)
    accepted = "approximate=True, False, 'tanh' or 'none' (PyTorch's names)"
    if isinstance(approximate, str):
        if approximate == "tanh" or approximate == "none":
            return approximate == "tanh"
        raise ValueError(f"gelu() takes {accepted}, not {approximate!r}")
    raise TypeError(f"gelu() takes {accepted}, not {approximate!r} "
                    f"(of type {type(approximate).__name__!r})")


def flag(v):
    """A NumPy bool as Python's (NumPy's own keepdims= refuses np.True_); v otherwise."""
    return bool(v) if isinstance(v, np.bool_) else v


def masked_error(where):
    return TypeError(
        f"{where} does not take a masked array (np.ma.MaskedArray): its mask would be "
        "dropped. Pass x.filled(value) to use every point, or x.compressed() for the "
        "unmasked points alone; np.ma.array(result, mask=np.ma.getmaskarray(x)) then "
        "masks an elementwise result again")


def keep_mask(x, out):
    """out, masked as x is when x is a masked array (an elementwise result of x)."""
    if isinstance(x, np.ma.MaskedArray) and isinstance(out, np.ndarray):
        return np.ma.array(out, mask=np.ma.getmaskarray(x).copy())
    return out


def refuse_masked(op, *values):
    """TypeError if one of the values is a masked array (dualdiff keeps no mask)."""
    for v in values:
        if isinstance(v, np.ma.MaskedArray):
            raise masked_error(f"{op}()")


def format_float(v):
    """repr of a float that eval() reads back, inf and nan included."""
    return repr(v) if math.isfinite(v) else f"float('{v!r}')"


def format_repr(name, parts):
    return f"{name}({', '.join(format_float(p) for p in parts)})"


# ---------------------------------------------------------------------------
# GradientDual and HessianDual: their partials as Python data
# ---------------------------------------------------------------------------

def _index(name, i):
    if type(i) is not int or i < 0 or i > 2**31 - 1:
        raise TypeError(f"{name}() partials are keyed by variable indices "
                        f"(non-negative ints), not {i!r}")
    return i


def _real(name, v):
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or hasattr(v, "partials"):
        raise operand_error(name, v, "a mapping to real numbers; a value")
    return float(v)


def checked_partials(name, partials):
    """{index: float} from a mapping of variable indices to real numbers."""
    return {_index(name, i): _real(name, v) for i, v in dict(partials or {}).items()}


def checked_hessian(name, hessian):
    """{(i, j): float} for both triangles, from a mapping of index pairs."""
    out = {}
    for key, v in dict(hessian or {}).items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise TypeError(f"{name}() hessian is keyed by index pairs (i, j), not {key!r}")
        i, j = _index(name, key[0]), _index(name, key[1])
        v = _real(name, v)
        if (j, i) in out and (j, i) != (i, j) and not (out[j, i] == v or (v != v and out[j, i] != out[j, i])):
            raise ValueError(f"{name}() hessian gives ({i}, {j}) and ({j}, {i}) "
                             "different values; a Hessian is symmetric")
        out[i, j] = out[j, i] = v
    return out


def dense_gradient(partials, n):
    """The partials {index: value} as a dense float64 ndarray of length n."""
    out = np.zeros(n, dtype=np.float64)
    for i, v in partials.items():
        if i >= n:
            raise ValueError(f"the number depends on variable {i}, beyond length {n}")
        out[i] = v
    return out


def dense_hessian(upper, n):
    """{(i, j): value, i <= j} as a dense (n, n) ndarray, exactly symmetric."""
    out = np.zeros((n, n), dtype=np.float64)
    for (i, j), v in upper.items():
        if j >= n:
            raise ValueError(f"the number depends on variable {j}, beyond length {n}")
        out[i, j] = out[j, i] = v
    return out


def format_hessian_repr(re, partials, upper):
    g = ", ".join(f"{i}: {format_float(v)}" for i, v in sorted(partials.items()))
    h = ", ".join(f"({i}, {j}): {format_float(v)}" for (i, j), v in sorted(upper.items()))
    return f"HessianDual({format_float(re)}, {{{g}}}, {{{h}}})"


# ---------------------------------------------------------------------------
# NumPy: arrays follow NumPy semantics (nan + RuntimeWarning, np.errstate)
# ---------------------------------------------------------------------------

#: name -> NumPy's ufunc of the spec's functions that have one (its first).
UFUNCS = {f.name: getattr(np, f.ufuncs[0]) for f in _spec.FUNCTIONS if f.ufuncs}


def is_array(x):
    return isinstance(x, (np.ndarray, np.generic))


def apply_other(x, name, scalar_fn, args=()):
    """Apply function `name` to an argument that is not a float or dualdiff number.

    ndarrays are mapped elementwise (NumPy's ufunc where one exists, else the
    backend's scalar function on each element: the vectorised C kernels are
    DualArray's job); other objects that carry a method `name` are asked to
    apply it themselves; anything else is a TypeError.
    """
    if is_array(x):
        if x.dtype == object:
            return np.frompyfunc(lambda e: scalar_fn(e, *args), 1, 1)(x)
        ufunc = UFUNCS.get(name)
        if ufunc is not None and not args:
            return ufunc(x)
        out = np.vectorize(lambda e: scalar_fn(e, *args), otypes=[np.float64])(
            np.asarray(x, dtype=np.float64))
        return out[()] if out.ndim == 0 else out
    method = getattr(type(x), name, None)
    if method is not None and not isinstance(x, (str, bytes)):
        return method(x, *args)
    raise operand_error(name, x, "a real number, an ndarray or a dualdiff number")


def apply_binary_arrays(name, x, y):
    """arctan2, hypot and power when an operand is an ndarray (NumPy semantics)."""
    if name == "power":
        x = np.asanyarray(x)   # a masked array stays one: np.power keeps its mask
        if x.dtype != object and not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float64)  # int ** negative int raises in NumPy
        return np.power(x, y)
    return UFUNCS[name](x, y)


def array_logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x), axis)) of a float array, without overflow (scipy.special's result)."""
    refuse_masked("logsumexp", x)   # a reduction: np.ma's would leave the masked terms out
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        raise ValueError("logsumexp() arg is an empty array")
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):   # log(0) = -inf where every term is -inf
        out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        out = np.squeeze(out, axis=axis)
    return out[()] if out.ndim == 0 else out


def array_softmax(x, axis=None):
    """exp(x) / sum(exp(x), axis) of a float array, without overflow."""
    refuse_masked("softmax", x)   # a reduction: np.ma's would leave the masked terms out
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return x.copy()
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - np.where(np.isfinite(m), m, 0.0))
    return e / np.sum(e, axis=axis, keepdims=True)


#: scipy.special ufuncs that dualdiff has under another name or can be
#: written with: the hint of the TypeError they raise on dualdiff numbers.
SCIPY_SPECIAL_HINTS = {
    "expit": "dualdiff.sigmoid (the same function)",
    "erf": "dualdiff.erf (the same function)",
    "erfc": "dualdiff.erfc (the same function)",
    "cbrt": "dualdiff.cbrt (the same function)",
    "exp2": "dualdiff.exp2 (the same function)",
    "expm1": "dualdiff.expm1 (the same function)",
    "log1p": "dualdiff.log1p (the same function)",
    "exp10": "10.0 ** x",
    "log_expit": "-dualdiff.softplus(-x)",
    "logit": "dualdiff.log(x) - dualdiff.log1p(-x)",
    "ndtr": "0.5 * dualdiff.erfc(-x / math.sqrt(2))",
    "log_ndtr": "dualdiff.log(0.5 * dualdiff.erfc(-x / math.sqrt(2))) (away from the far left tail)",
    "xlogy": "x * dualdiff.log(y)",
    "xlog1py": "x * dualdiff.log1p(y)",
    "entr": "-x * dualdiff.log(x)",
    "rel_entr": "x * dualdiff.log(x / y)",
    "sindg": "dualdiff.sin(x * math.pi / 180)",
    "cosdg": "dualdiff.cos(x * math.pi / 180)",
    "sinc": "numpy.sinc(x) (NumPy's, which dualdiff's arrays take)",
}


def special_function_error(ufunc, x):
    """The TypeError for a ufunc that is not NumPy's (scipy.special's, ...)
    applied to a dualdiff number or array."""
    name = getattr(ufunc, "__name__", repr(ufunc))
    hint = SCIPY_SPECIAL_HINTS.get(name)
    advice = (f"use {hint}" if hint else
              "write it with dualdiff's functions (dualdiff.exp, dualdiff.log, dualdiff.erf, ...)")
    return TypeError(f"the ufunc {name!r} (not one of NumPy's; scipy.special's?) has no "
                     f"derivative rule in dualdiff, so it cannot take a "
                     f"{type(x).__name__}: {advice}")


#: NumPy's own ufuncs, by object: their names (interned, as the method names
#: of the number types are; a ufunc's __name__ is a fresh string each time).
#: NumPy's ufuncs -> the name of the method NumPy's object loop calls, except
#: where a function of the spec is that ufunc under another name (np.fabs: abs).
_NUMPY_UFUNCS = {u: name for name, u in vars(np).items() if isinstance(u, np.ufunc)}
_NUMPY_UFUNCS.update({getattr(np, u): f.name for f in _spec.FUNCTIONS for u in f.ufuncs})


def numpy_ufunc(ufunc):
    """ufunc is one of NumPy's own."""
    return ufunc in _NUMPY_UFUNCS


#: NumPy's binary ufuncs whose object loop calls a method of the first operand,
#: which a plain number first (np.arctan2(2.0, dual)) does not have: they run
#: as a ufunc of the backend's own function instead, by backend module and name.
_BINARY_FUNCTIONS = {np.arctan2: "arctan2", np.hypot: "hypot"}
_BINARY_UFUNCS = {}


def _binary_ufunc(x, name):
    """The backend's function `name` of x's backend, as an object ufunc."""
    module = type(x).__module__
    if module == "dualdiff._nested":   # a NestedDual: its parts are its backend's HyperDual
        module = type(x.h).__module__
    module = "dualdiff._pure" if module.startswith("dualdiff._pure") else "dualdiff._core"
    ufunc = _BINARY_UFUNCS.get((module, name))
    if ufunc is None:
        ufunc = _BINARY_UFUNCS[module, name] = np.frompyfunc(
            getattr(sys.modules[module], name), 2, 1)
    return ufunc


def scalar_array_ufunc(x, ufunc, method, inputs, kwargs):
    """__array_ufunc__ of the scalar number types: NumPy's ufuncs run as
    NumPy runs them on objects (np.sin(x) calls x.sin(); an ndarray operand
    is mapped over), any other ufunc (scipy.special's) is a TypeError that
    says what to use instead."""
    name = _NUMPY_UFUNCS.get(ufunc)
    if name is None:
        raise special_function_error(ufunc, x)
    if any(isinstance(i, ARRAY_BASE) for i in inputs):
        return NotImplemented   # the dualdiff array's own __array_ufunc__ decides
    if method == "__call__" and len(inputs) == 1 and not kwargs:
        m = getattr(inputs[0], name, None)
        if m is not None:   # np.sin(dual): the number's own method, as NumPy would call it
            return m()
    if ufunc in _BINARY_FUNCTIONS:
        ufunc = _binary_ufunc(x, _BINARY_FUNCTIONS[ufunc])
    wrapped = tuple(np.array(i, dtype=object) if not isinstance(i, np.ndarray)
                    and hasattr(i, "__array_ufunc__") and not is_array(i) else i for i in inputs)
    out = getattr(ufunc, method)(*wrapped, **kwargs)
    if kwargs.get("out") is not None:
        return out
    if isinstance(out, tuple):
        return tuple(o[()] if isinstance(o, np.ndarray) and o.ndim == 0 else o for o in out)
    return out[()] if isinstance(out, np.ndarray) and out.ndim == 0 else out


#: dualdiff.arrays.ArrayBase, set when that module loads (it imports this one).
ARRAY_BASE = ()


def array_of_duals(x):
    """x is a DualArray or HyperDualArray (of either backend)."""
    return isinstance(x, ARRAY_BASE)


def axis_error(func):
    return TypeError(f"{func}() takes axis= only for an ndarray or a dualdiff array, "
                     "not for a sequence of numbers")


# ---------------------------------------------------------------------------
# Sequences of dualdiff numbers: composed from the backend's exp and log
# ---------------------------------------------------------------------------

def max_real(items):
    m = -math.inf
    for x in items:
        r = x.real
        if r != r:
            return r
        if r > m:
            m = r
    return m


def check_items(items, func, number_types):
    """TypeError unless every item is a real number or a dualdiff number."""
    for x in items:
        if not isinstance(x, number_types) and not isinstance(x, numbers.Real):
            raise operand_error(func, x, "a sequence of real numbers or dualdiff numbers; an item")


def compose_logsumexp(items, exp, log):
    """log(sum(exp(x))) for a sequence holding dualdiff numbers."""
    m = max_real(items)
    if not math.isfinite(m):
        raise ValueError(f"logsumexp() of dualdiff numbers needs finite values; the largest is {m!r}")
    s = 0.0
    for x in items:
        s = s + exp(x - m)
    return log(s) + m


def compose_softmax(items, exp):
    """exp(x) / sum(exp(x)) for a sequence holding dualdiff numbers."""
    m = max_real(items)
    if not math.isfinite(m):
        raise ValueError(f"softmax() of dualdiff numbers needs finite values; the largest is {m!r}")
    terms = [exp(x - m) for x in items]
    s = 0.0
    for t in terms:
        s = s + t
    return [t / s for t in terms]


def reduce_items(name, xs, axis, of_floats, number_types, of_numbers):
    """softmax(xs, axis) or logsumexp(xs, axis) of either backend.

    Arrays go to their own methods or NumPy; a sequence's items go to the
    backend's float loop ``of_floats(items)`` (None unless every item is a
    real number), else to ``of_numbers(items)``, composed from the backend's
    exp and log; softmax gives a list, or an ndarray for an ndarray."""
    if array_of_duals(xs):
        return getattr(xs, name)(axis)
    if is_array(xs) and xs.dtype != object:
        return (array_logsumexp if name == "logsumexp" else array_softmax)(xs, axis)
    if axis is not None:
        raise axis_error(name)
    items = sequence(xs, name)
    if name == "logsumexp" and not items:
        raise ValueError("logsumexp() arg is an empty sequence")
    out = of_floats(items)
    if out is not None:
        return np.array(out) if name == "softmax" and is_array(xs) else out   # an object array of floats
    check_items(items, name, number_types)
    out = of_numbers(items)
    return object_array(out) if name == "softmax" and is_array(xs) else out


def object_array(items):
    """A 1-D object ndarray holding `items` (dualdiff numbers)."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def sequence(xs, func):
    """The items of a softmax/logsumexp argument, as a list."""
    try:
        return list(xs)
    except TypeError:
        raise operand_error(func, xs, "a sequence of numbers or an ndarray") from None


# The operators' shared machinery lives in dualdiff/_calls.py; these names are
# used as _common.<name> across the backends and the operators.
from dualdiff._calls import (  # noqa: E402,F401
    Bound, WithArgs, _rebuild_bound, bind, elementwise, extra_args, point_error, report_fp_error,
    result_error, user_fp_errors, warn_at_user, with_args,
)
