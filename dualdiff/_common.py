"""Plumbing shared by both backends: error messages, NumPy arrays, binding.

Nothing here differentiates: derivative rules live once per backend, in its
rule table.  What is here is how a backend talks to the outside world, so
that the compiled and pure-Python backends say the same things the same way.
"""

import math
import numbers
import warnings

import numpy as np

# ---------------------------------------------------------------------------
# Messages and exceptions (identical for both backends)
# ---------------------------------------------------------------------------

EDOM, ERANGE, EZERODIV = 1, 2, 3


def math_error(status, name, a):
    """The exception the math module would raise for ``name(a)``."""
    if status == ERANGE:
        return OverflowError(f"math range error: {name}({a!r}) overflows")
    return ValueError(f"math domain error: {name}({a!r})")


def pow_error(status, a, p):
    """The exception Python's float ``a ** p`` would raise (ValueError for complex)."""
    if status == EZERODIV:
        return ZeroDivisionError(f"0.0 cannot be raised to a negative power ({a!r} ** {p!r})")
    if status == ERANGE:
        return OverflowError(f"math range error: {a!r} ** {p!r} overflows")
    return ValueError(
        f"math domain error: {a!r} ** {p!r} is not real (negative base, non-integer exponent)"
    )


def zero_division():
    return ZeroDivisionError("float division by zero")


class NestedCallError(TypeError):
    """A GradientDual or HessianDual met a Dual of an enclosing derivative call.

    gradient(), value_and_gradient() and jacobian() catch it and redo the
    work as nested derivative calls, one per variable (and output); elsewhere
    it is a TypeError.
    """


def nested_call_error(x, y):
    return NestedCallError(
        f"a {type(x).__name__} and a {type(y).__name__} meet: this gradient, jacobian or "
        "hessian call runs inside a derivative call; gradient, value_and_gradient and "
        "jacobian support that (with one pass per variable), hessian does not: its "
        "derivative would be a third derivative, beyond what dualdiff nests")


def float_error(x):
    return TypeError(
        f"float() of a {type(x).__name__} would drop its derivative part; use .real "
        "for the value, and dualdiff's functions (dualdiff.sin, dualdiff.exp, ...) "
        "instead of the math module's"
    )


def operand_error(func, x, accepted):
    return TypeError(f"{func}() argument must be {accepted}, not {type(x).__name__!r}")


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

#: Rules whose NumPy ufunc gives the value with NumPy's domain handling.
UFUNCS = {
    "exp": np.exp, "exp2": np.exp2, "expm1": np.expm1, "log": np.log,
    "log2": np.log2, "log10": np.log10, "log1p": np.log1p, "sqrt": np.sqrt,
    "cbrt": np.cbrt, "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan,
    "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "arcsinh": np.arcsinh,
    "arccosh": np.arccosh, "arctanh": np.arctanh, "abs": np.abs,
    "sign": np.sign, "floor": np.floor, "ceil": np.ceil,
    "arctan2": np.arctan2, "hypot": np.hypot, "power": np.power,
}


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
        x = np.asarray(x)
        if x.dtype != object and not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float64)  # int ** negative int raises in NumPy
        return np.power(x, y)
    return UFUNCS[name](x, y)


def array_logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x), axis)) of a float array, without overflow (scipy.special's result)."""
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
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return x.copy()
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - np.where(np.isfinite(m), m, 0.0))
    return e / np.sum(e, axis=axis, keepdims=True)


#: dualdiff._array.ArrayBase, set when that module loads (it imports this one).
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


# ---------------------------------------------------------------------------
# Derivative operators
# ---------------------------------------------------------------------------

def bind(op, f, **options):
    """bind(op, f, **options) -> the function x -> op(f, x, **options), for
    ``derivative(f)`` without x."""
    if not callable(f):
        raise TypeError(f"{op.__name__}() expects a callable f, not {type(f).__name__!r}")

    def bound(x):
        return op(f, x, **options)

    fname = getattr(f, "__name__", type(f).__name__)
    bound.__name__ = f"{op.__name__}_of_{fname}"
    bound.__qualname__ = bound.__name__
    bound.__doc__ = f"{op.__name__}({fname}, x) as a function of x."
    return bound


#: The NumPy error category of each scalar exception, and NumPy's wording.
_FP_ERRORS = {
    ValueError: ("invalid", "invalid value encountered in {}"),
    ZeroDivisionError: ("divide", "divide by zero encountered in {}"),
    OverflowError: ("over", "overflow encountered in {}"),
}


def report_fp_error(exc_type, where):
    """Report a floating-point error as NumPy would, honouring np.errstate."""
    category, text = _FP_ERRORS[exc_type]
    mode = np.geterr()[category]
    message = text.format(where)
    if mode == "ignore":
        return
    if mode == "raise":
        raise FloatingPointError(message)
    if mode == "call":
        np.geterrcall()(message, category)
        return
    warnings.warn(message, RuntimeWarning, stacklevel=4)


def elementwise(op, f, x):
    """op(f, x) for an ndarray x, one element at a time, with NumPy's semantics.

    An element where f leaves its domain (the scalar ValueError,
    ZeroDivisionError or OverflowError) gives nan, reported once per kind as
    NumPy reports it (RuntimeWarning, under np.errstate).
    """
    x = np.asarray(x)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise operand_error(op.__name__, x, "a real number or an ndarray of real numbers")
    width = 2 if op.__name__ == "value_and_derivative" else 1
    out = np.empty((width,) + x.shape, dtype=np.float64)
    failed = []
    for index, v in np.ndenumerate(x):
        try:
            r = op(f, float(v))
        except tuple(_FP_ERRORS) as exc:
            r = (math.nan,) * width
            kind = next(t for t in _FP_ERRORS if isinstance(exc, t))
            if kind not in failed:
                failed.append(kind)
        out[(slice(None),) + index] = r
    for kind in failed:
        report_fp_error(kind, op.__name__)
    return tuple(out) if width == 2 else out[0]


def point_error(op, x):
    return operand_error(op, x, "a real number (int or float) or an ndarray")


def result_error(op, y):
    return TypeError(
        f"{op}(): f returned {type(y).__name__!r}, not a number; f must return a "
        "real number computed from its argument (use dualdiff's functions, not math's)"
    )
