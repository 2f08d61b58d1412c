"""Finite-difference and complex-step derivatives: the baseline dualdiff is measured against.

A finite difference trades two errors against each other.  Shrinking the
step ``h`` shrinks the *truncation* error of the stencil (the Taylor terms it
ignores), but the difference ``f(x+h) - f(x)`` of two nearly equal floats
cancels their leading digits, so its *rounding* error, about
``eps * |f| / h``, grows as ``h`` shrinks.  The best step balances the two,
and even there the result keeps only part of the 16 digits of a float:

======================  ===============  ==================  ===================
method                  truncation       default step h      best error (~)
======================  ===============  ==================  ===================
forward / backward      h f''/2          eps**(1/2) * s      eps**(1/2) ~ 1e-8
central (accuracy=2)    h**2 f'''/6      eps**(1/3) * s      eps**(2/3) ~ 4e-11
central (accuracy=4)    h**4 f^(5)/30    eps**(1/5) * s      eps**(4/5) ~ 3e-13
second difference       h**2 f''''/12    eps**(1/4) * s      eps**(1/2) ~ 1e-8
complex step            h**2 f'''/6      1e-20 (absolute)    eps, for any tiny h
======================  ===============  ==================  ===================

with ``s = max(1, |x|)`` (per component for gradients, Jacobians and
Hessians).  These defaults assume ``f`` and its derivatives are of order one;
far from that, the best step moves and so does the error.  The complex step
(Squire & Trapp, 1998) subtracts nothing, so it has no rounding trade-off,
but ``f`` must accept complex numbers.

Every step is made exactly representable, ``h = (x + h) - x``, as textbooks
advise, so that the step the formula divides by is the one ``f`` saw.

For the exact value (to rounding, with no step to choose) use
``dualdiff.derivative``, ``dualdiff.second_derivative``, ``dualdiff.gradient``,
``dualdiff.jacobian`` and ``dualdiff.hessian``.  This module is pure NumPy
and the same for both backends.
"""

import math
import numbers

import numpy as np

__all__ = ["forward_difference", "backward_difference", "central_difference",
           "second_difference", "complex_step", "fd_gradient", "fd_jacobian",
           "fd_hessian"]

EPS = float(np.finfo(np.float64).eps)

#: the default relative step of each stencil (scaled by max(1, |x|))
STEPS = {"forward": EPS ** 0.5, "backward": EPS ** 0.5, "central": EPS ** (1 / 3),
         "central4": EPS ** 0.2, "second": EPS ** 0.25}

_METHODS = ("forward", "backward", "central")


# ---------------------------------------------------------------------------
# Checking what comes in and what f gives back
# ---------------------------------------------------------------------------

def _is_real_array(a):
    return isinstance(a, np.ndarray) and a.dtype.kind in "biuf"


def _point1(x, name):
    """x as a float or a float64 ndarray, and whether it was a scalar."""
    if isinstance(x, np.ndarray):
        if not _is_real_array(x):
            raise TypeError(f"{name}() expects an ndarray of real numbers, not dtype {x.dtype}")
        return x.astype(np.float64), False
    if isinstance(x, numbers.Real):
        x = float(x)
        if not np.isfinite(x):
            raise ValueError(f"{name}() needs a finite x, not {x!r}")
        return x, True
    raise TypeError(f"{name}() argument must be a real number (int or float) or an "
                    f"ndarray, not {type(x).__name__!r}")


def _point_n(x, name):
    """A multivariate point as a 1-d float64 ndarray (a copy)."""
    if isinstance(x, numbers.Number):
        raise TypeError(f"{name}() expects x to be a list, tuple or 1-D ndarray of real "
                        f"numbers, not a scalar {type(x).__name__!r}: use "
                        "central_difference() for a function of one variable")
    try:
        a = np.array(x)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}() expects a 1-D point of real numbers ({exc})") from None
    if not _is_real_array(a):
        raise TypeError(f"{name}() expects x of real numbers, not an array of {a.dtype}")
    if a.ndim != 1:
        raise ValueError(f"{name}() expects a 1-D x, not an array of shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name}() expects at least one variable, got an empty x")
    return a.astype(np.float64)


def _step(x, h, rel, name):
    """The step: h as given (checked) or rel * max(1, |x|), broadcast to x."""
    if h is None:
        return rel * np.maximum(1.0, np.abs(x)) if isinstance(x, np.ndarray) \
            else rel * max(1.0, abs(x))
    if isinstance(h, np.ndarray) and _is_real_array(h) and isinstance(x, np.ndarray):
        try:
            h = np.broadcast_to(h.astype(np.float64), x.shape)
        except ValueError:
            raise ValueError(f"{name}(): h of shape {h.shape} does not match x of "
                             f"shape {x.shape}") from None
    elif isinstance(h, numbers.Real) and not isinstance(h, bool):
        h = float(h)
    else:
        raise TypeError(f"{name}(): h must be a positive real number"
                        f"{' or ndarray' if isinstance(x, np.ndarray) else ''}, "
                        f"not {type(h).__name__!r}")
    if not np.all(np.isfinite(h) & (h > 0)):
        raise ValueError(f"{name}(): the step h must be positive and finite, got {h!r}")
    return h


def _exact(x, h, name, backward=False):
    """The representable step: (x + h) - x (x - (x - h) when stepping backward)."""
    hr = x - (x - h) if backward else (x + h) - x
    if np.any(hr == 0):
        raise ValueError(f"{name}(): the step h={h!r} is below the spacing of floats "
                         "at x (x + h == x)")
    if np.any(np.isinf(hr)):
        raise ValueError(f"{name}(): x + h overflows (h={h!r})")
    return hr


def _real(y, shape, name, complex_ok=False):
    """f's result as a float (shape None) or a float64 array of `shape`."""
    kinds = "biufc" if complex_ok else "biuf"
    if isinstance(y, np.ndarray) or shape is not None:
        a = np.asarray(y)
        if a.dtype.kind not in kinds:
            raise TypeError(f"{name}(): f returned {type(y).__name__!r} of {a.dtype}, not "
                            "real numbers" + _hint(a.dtype.kind == "c"))
        if shape is not None and a.shape != shape:
            raise ValueError(f"{name}(): f returned shape {a.shape} for x of shape {shape}: "
                             "with an ndarray x, f must be elementwise (vectorised); "
                             "use fd_gradient() for a scalar function of a vector")
        if shape is None and a.ndim != 0:
            raise TypeError(f"{name}(): f returned an array of shape {a.shape}, "
                            "not a number")
        return a if shape is not None else a[()]
    ok = numbers.Number if complex_ok else numbers.Real
    if not isinstance(y, ok):
        raise TypeError(f"{name}(): f returned {type(y).__name__!r}, not a real number"
                        + _hint(isinstance(y, numbers.Complex)))
    return y


def _hint(is_complex):
    return "; for a complex-valued f use complex_step()" if is_complex else ""


def _setup(name, x, h, rel, backward=False):
    """(x, the representable step, check): check(name, ys) checks f's results."""
    if type(x) is float and h is None and x - x == 0.0:
        # the common case, kept free of NumPy: a scalar finite difference
        # should cost little more than its evaluations of f
        h = rel * (x if x > 1.0 else -x if x < -1.0 else 1.0)
        hr = x - (x - h) if backward else (x + h) - x
        if hr - hr == 0.0:  # else x + h overflowed: the slow path says so
            return x, hr, _floats
    x, scalar = _point1(x, name)
    hr = _exact(x, _step(x, h, rel, name), name, backward)
    if scalar:
        return x, float(hr), _floats
    shape = x.shape

    def arrays(name, ys):
        return [_real(y, shape, name).astype(np.float64) for y in ys]
    return x, hr, arrays


def _floats(name, ys):
    """f's results at a scalar x, as floats (checked)."""
    for y in ys:
        if type(y) is not float:
            return [float(_real(y, None, name)) for y in ys]
    return ys


# ---------------------------------------------------------------------------
# Derivatives of one variable (elementwise for an ndarray x)
# ---------------------------------------------------------------------------

def forward_difference(f, x, h=None):
    """forward_difference(f, x, h=None) -> (f(x + h) - f(x)) / h

    First-order accurate; default ``h = sqrt(eps) * max(1, |x|)``.  ``x`` is
    a real number (returns a float) or an ndarray (``f`` is applied to the
    whole array, so it must be vectorised; returns a float64 ndarray).

    >>> import math
    >>> round(forward_difference(math.exp, 0.0), 6)
    1.0
    """
    name = "forward_difference"
    x, hr, check = _setup(name, x, h, STEPS["forward"])
    a, b = check(name, (f(x + hr), f(x)))
    return (a - b) / hr


def backward_difference(f, x, h=None):
    """backward_difference(f, x, h=None) -> (f(x) - f(x - h)) / h

    First-order accurate; default ``h = sqrt(eps) * max(1, |x|)``; scalar or
    ndarray ``x`` as in ``forward_difference``.

    >>> import math
    >>> round(backward_difference(math.exp, 0.0), 6)
    1.0
    """
    name = "backward_difference"
    x, hr, check = _setup(name, x, h, STEPS["backward"], backward=True)
    a, b = check(name, (f(x), f(x - hr)))
    return (a - b) / hr


def central_difference(f, x, h=None, *, accuracy=2):
    """central_difference(f, x, h=None, *, accuracy=2) -> f'(x) by a symmetric stencil

    ``accuracy=2``: ``(f(x+h) - f(x-h)) / 2h``, default ``h = eps**(1/3) * max(1, |x|)``.
    ``accuracy=4``: the 5-point stencil
    ``(f(x-2h) - 8f(x-h) + 8f(x+h) - f(x+2h)) / 12h``, default
    ``h = eps**(1/5) * max(1, |x|)``.  Scalar or ndarray ``x`` as in
    ``forward_difference``.

    >>> import math
    >>> round(central_difference(math.sin, 1.0), 8) == round(math.cos(1.0), 8)
    True
    >>> round(central_difference(math.sin, 1.0, accuracy=4), 11) == round(math.cos(1.0), 11)
    True
    """
    name = "central_difference"
    if accuracy == 2:
        x, hr, check = _setup(name, x, h, STEPS["central"])
        a, b = check(name, (f(x + hr), f(x - hr)))
        return (a - b) / (2 * hr)
    if accuracy == 4:
        x, hr, check = _setup(name, x, h, STEPS["central4"])
        a, b, c, d = check(name, (f(x - 2 * hr), f(x - hr), f(x + hr), f(x + 2 * hr)))
        return (a - d + 8 * (c - b)) / (12 * hr)
    raise ValueError(f"{name}(): accuracy must be 2 or 4, not {accuracy!r}")


def second_difference(f, x, h=None):
    """second_difference(f, x, h=None) -> (f(x+h) - 2 f(x) + f(x-h)) / h**2

    The second derivative, second-order accurate (the seed's
    ``numerical_second_derivative``); default ``h = eps**(1/4) * max(1, |x|)``.
    Scalar or ndarray ``x`` as in ``forward_difference``.

    >>> round(second_difference(lambda x: x**3 + 2*x**2 - x + 1, 2.0), 5)
    16.0
    """
    name = "second_difference"
    x, hr, check = _setup(name, x, h, STEPS["second"])
    a, b, c = check(name, (f(x + hr), f(x), f(x - hr)))
    return (a - 2 * b + c) / (hr * hr)


def complex_step(f, x, h=1e-20):
    """complex_step(f, x, h=1e-20) -> Im f(x + ih) / h

    The complex-step derivative (Squire & Trapp, 1998): no difference is
    taken, so nothing cancels and any tiny ``h`` gives ``f'(x)`` to rounding.
    ``f`` must be real-analytic and accept complex numbers: write it with
    ``cmath`` or NumPy (``np.sin``), not ``math``; dualdiff's own functions
    (``dualdiff.sin``, ...) take real numbers only, and ``dualdiff.derivative``
    is the exact alternative for them.  ``abs``, ``<`` and the like break
    analyticity.  Scalar or ndarray ``x`` as in ``forward_difference``.

    >>> import cmath, math
    >>> complex_step(cmath.sin, 1.0) == math.cos(1.0)
    True
    """
    name = "complex_step"
    if type(x) is float and type(h) is float and x - x == 0.0 and 0.0 < h < math.inf:
        y = f(complex(x, h))  # the common case, free of NumPy, as in _setup
        if type(y) is complex:
            return y.imag / h
    else:
        x, scalar = _point1(x, name)
        # no (x + h) - x here: the step lives in the imaginary part, apart from x
        h = _step(x, 1e-20 if h is None else h, None, name)
        y = f(x + 1j * h)
    shape = None if type(x) is float else x.shape
    d = np.imag(_real(y, shape, name, complex_ok=True)) / h
    return float(d) if shape is None else d.astype(np.float64)


# ---------------------------------------------------------------------------
# Several variables: gradient, Jacobian, Hessian
# ---------------------------------------------------------------------------

def _steps_n(x, h, rel, name):
    if isinstance(h, (list, tuple)):
        h = np.asarray(h)
    return _exact(x, _step(x, h, rel, name), name)


def _partials(f, x, h, method, name, vector_out):
    if method not in _METHODS:
        raise ValueError(f"{name}(): method must be one of {', '.join(_METHODS)}, "
                         f"not {method!r}")
    x = _point_n(x, name)
    hr = _steps_n(x, h, STEPS[method], name)

    def call(t):
        y = f(t)
        if not vector_out or np.ndim(y) == 0:
            return np.float64(_real(y, None, name))
        y = _real(y, np.shape(y), name)  # a list, tuple or array of numbers
        if y.ndim != 1:
            raise ValueError(f"{name}(): f must return a number or a 1-D array, "
                             f"not shape {y.shape}")
        return y.astype(np.float64)

    def shifted(i, s):
        t = x.copy()  # a fresh point per call: f may keep or change its argument
        t[i] += s * hr[i]
        return call(t)

    f0 = call(x.copy()) if method != "central" else None
    cols = []
    for i in range(x.size):
        if method == "forward":
            cols.append((shifted(i, 1) - f0) / hr[i])
        elif method == "backward":
            cols.append((f0 - shifted(i, -1)) / hr[i])
        else:
            cols.append((shifted(i, 1) - shifted(i, -1)) / (2 * hr[i]))
    if any(c.shape != cols[0].shape for c in cols):
        raise ValueError(f"{name}(): f returned results of different shapes")
    return np.stack(cols, axis=-1)


def fd_gradient(f, x, h=None, *, method="central"):
    """fd_gradient(f, x, h=None, *, method="central") -> float64 ndarray of shape (n,)

    The gradient of a scalar ``f`` at the point ``x`` (list, tuple or 1-d
    array of n reals), one difference per component: ``method`` is
    ``"forward"``, ``"backward"`` (n + 1 evaluations) or ``"central"`` (2n).
    ``f`` gets a float64 ndarray.  ``h`` is a number or one step per
    component; by default ``h_i = c * max(1, |x_i|)`` with the method's
    ``c`` (``eps**(1/2)``, or ``eps**(1/3)`` for central).

    >>> fd_gradient(lambda v: v[0]**2 * v[1] + v[0] * v[1]**2, [1.0, 2.0]).round(6)
    array([8., 5.])
    """
    return _partials(f, x, h, method, "fd_gradient", vector_out=False)


def fd_jacobian(f, x, h=None, *, method="central"):
    """fd_jacobian(f, x, h=None, *, method="central") -> float64 ndarray of shape (m, n)

    The Jacobian of ``f``, returning m numbers (a list, tuple or 1-d array),
    at the point ``x`` of n reals; steps and methods as in ``fd_gradient``.
    A scalar-valued ``f`` gives shape (n,), as ``dualdiff.jacobian`` does.

    >>> fd_jacobian(lambda v: [v[0] * v[1], v[0] + v[1]], [2.0, 3.0]).round(6)
    array([[3., 2.],
           [1., 1.]])
    """
    return _partials(f, x, h, method, "fd_jacobian", vector_out=True)


def fd_hessian(f, x, h=None):
    """fd_hessian(f, x, h=None) -> float64 ndarray of shape (n, n), exactly symmetric

    Central second differences of a scalar ``f`` at the point ``x``:
    ``(f(x+h_i) - 2f(x) + f(x-h_i)) / h_i**2`` on the diagonal and the
    4-point cross stencil ``(f(++) - f(+-) - f(-+) + f(--)) / (4 h_i h_j)``
    off it, computed once per pair and mirrored; 1 + 2n**2 evaluations.
    Default ``h_i = eps**(1/4) * max(1, |x_i|)``.

    >>> fd_hessian(lambda v: v[0]**2 * v[1] + v[0] * v[1]**2, [1.0, 2.0]).round(5)
    array([[4., 6.],
           [6., 2.]])
    """
    name = "fd_hessian"
    x = _point_n(x, name)
    hr = _steps_n(x, h, STEPS["second"], name)
    n = x.size

    def at(*moves):
        t = x.copy()
        for i, s in moves:
            t[i] += s * hr[i]
        return np.float64(_real(f(t), None, name))

    f0 = at()
    out = np.empty((n, n))
    for i in range(n):
        out[i, i] = (at((i, 1)) - 2 * f0 + at((i, -1))) / (hr[i] * hr[i])
        for j in range(i):
            out[i, j] = out[j, i] = (at((i, 1), (j, 1)) - at((i, 1), (j, -1))
                                     - at((i, -1), (j, 1)) + at((i, -1), (j, -1))
                                     ) / (4 * hr[i] * hr[j])
    return out
