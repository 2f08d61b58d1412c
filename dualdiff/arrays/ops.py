"""The arithmetic of the dualdiff arrays: operators, the unary functions and
the two-argument ones, dispatched to the backend's kernels (the fused
passes, the rule table applied elementwise) or to the rules of the array's
shape (algebra.py: _mul_rows, _div_rows, _chain2)."""

import math
import numbers
import operator

import numpy as np

from dualdiff import _common, _spec
from dualdiff.arrays.algebra import nan_outside, tz
from dualdiff.arrays.base import ArrayBase

#: rule name -> NumPy's ufunc for its value (a function's first ufunc in the spec).
_VALUE_UFUNCS = {f.name: getattr(np, f.ufuncs[0]) for f in _spec.FUNCTIONS if f.rule is not None and f.ufuncs}

#: Activations whose kernels take an exponential from NumPy (see dd_array_dual_aux).
_AUX_RULES = frozenset({"sigmoid", "softplus", "tanh", "gelu"})


class Operators:
    """Arithmetic of an ArrayBase: +, -, *, /, **, comparisons, the functions
    of dualdiff's namespace as methods."""

    __slots__ = ()

    # -- elementwise functions ---------------------------------------------

    def _unary(self, name, param=None, power=np.power):
        """f(self) for rule `name` of the table (or "pow"/"leaky_relu" with param;
        `power` gives the value of "pow": np.power or np.float_power)."""
        re = self._re
        out = self._block(self._t.shape[0], re.shape)
        have_value = self._value_into(name, param, power, out)
        if name in _AUX_RULES and self._order == 1 and self._kernels.aux is not None:
            # exp (and log1p) by NumPy's vectorised loops, the rest in C
            # passes; the scratch lives in the result's own rows, since a fresh
            # allocation of this size can cost more in page faults than the work
            e = out[1, ...]
            self._kernels.aux_arg(name, re, out)
            with np.errstate(all="ignore"):
                np.exp(e, out=e)
                if name == "softplus":
                    np.log1p(e, out=out[0, ...])
            self._kernels.aux(name, re, self._t, out)
            return self._like(out[0, ...], out[1:])
        outside = self._kernels.chain_into(name, re, self._t, self._order,
                                           0.0 if param is None else float(param),
                                           have_value, out)
        self._warn_outside(name, outside, out)
        return self._like(out[0, ...], out[1:])

    def _value_into(self, name, param, power, out):
        """NumPy's value of rule `name` at the real parts into out[0], where
        NumPy has the function (then True; else the kernel computes it).

        Not where the kernel's value is NumPy's to the bit (the backend's
        `libm_values`: sin and cos, where NumPy calls the same libm): the
        kernel then computes it with the derivative, in one sincos."""
        ufunc = _VALUE_UFUNCS.get(name)
        if name in self._kernels.libm_values:
            return False
        if name == "pow":
            power(self._re, param, out=out[0, ...])
        elif ufunc is not None:
            ufunc(self._re, out=out[0, ...])
        return name == "pow" or ufunc is not None

    def _warn_outside(self, name, outside, out):
        """NumPy's warning (or error, by np.errstate) for the `outside` points
        of a kernel that computed the values of a NumPy function itself:
        NumPy computes them again, the same values, and warns."""
        if outside and name in self._kernels.libm_values:
            _VALUE_UFUNCS[name](self._re, out=out[0, ...])

    def _fused(self, op, ufunc, x, y):
        """x * y or x / y in one pass of the backend's fused kernel, or None
        where it does not apply (broadcasting, views, no such kernel)."""
        (xr, tx), (yr, ty) = x, y
        if self._kernels.binary is None:
            return None
        shape = None
        for r, t in ((xr, tx), (yr, ty)):
            if type(r) is np.ndarray and r.ndim > 0:
                if (shape is not None and r.shape != shape) or not r.flags.c_contiguous \
                        or (t is not None and not t.flags.c_contiguous):
                    return None
                shape = r.shape
            elif t is not None or not isinstance(r, float):
                return None
        if shape is None or (tx is not None and ty is not None and tx.shape != ty.shape):
            return None
        rows = tx if tx is not None else ty
        if rows.shape[1:] != shape:
            return None
        out = self._block(rows.shape[0], shape)
        ufunc(xr, yr, out=out[0, ...])
        self._kernels.binary(op, self._order, xr, tx, yr, ty, out)
        return self._like(out[0, ...], out[1:])

    def _binary_partials(self, op, x, y, value_of=None):
        """op(x, y) for power (with an array exponent), arctan2 or hypot; the
        value is value_of(x, y) (NumPy's function of the name by default)."""
        (xr, tx), (yr, ty) = x, y
        shape = np.broadcast_shapes(np.shape(xr), np.shape(yr))
        value_of = value_of or {"power": np.power, "arctan2": np.arctan2, "hypot": np.hypot}[op]
        value = value_of(xr, yr)
        xb, yb = np.broadcast_to(xr, shape), np.broadcast_to(yr, shape)
        coeffs = self._kernels.partials(op, xb, yb, np.broadcast_to(value, shape), self._order)
        tx = None if tx is None else self._rows_for(tx, shape)
        ty = None if ty is None else self._rows_for(ty, shape)
        return self._like(value, nan_outside(self._chain2(tx, ty, coeffs), value, xr, yr))

    # -- operators ------------------------------------------------------------

    def _pair(self, other):
        lifted = self._lift(other)
        if lifted is None:
            return None
        return (self._re, self._t), lifted

    def __add__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._add(*p)

    def __radd__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._add(p[1], p[0])

    def __sub__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._add(p[0], p[1], -1.0)

    def __rsub__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._add(p[1], p[0], -1.0)

    def __mul__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._mul(*p)

    def __rmul__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._mul(p[1], p[0])

    def __truediv__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._div(*p)

    def __rtruediv__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._div(p[1], p[0])

    def __pow__(self, other, modulo=None):
        if modulo is not None:
            return NotImplemented
        if isinstance(other, numbers.Real) and not isinstance(other, ArrayBase):
            return self._unary("pow", float(other))
        p = self._pair(other)
        return NotImplemented if p is None else self._binary_partials("power", *p)

    def __rpow__(self, other):
        p = self._pair(other)
        return NotImplemented if p is None else self._binary_partials("power", p[1], p[0])

    def __neg__(self):
        return self._like(-self._re, -self._t)

    def __pos__(self):
        return self

    def __abs__(self):
        return self._unary("abs")

    def _compare(self, other, op):
        lifted = self._lift(other)
        if lifted is None:
            return NotImplemented
        return op(self._re, lifted[0])

    def __lt__(self, other):
        return self._compare(other, operator.lt)

    def __le__(self, other):
        return self._compare(other, operator.le)

    def __gt__(self, other):
        return self._compare(other, operator.gt)

    def __ge__(self, other):
        return self._compare(other, operator.ge)

    def __eq__(self, other):
        return self._compare(other, operator.eq)

    def __ne__(self, other):
        return self._compare(other, operator.ne)

    def _add(self, x, y, sign=1.0):
        (xr, tx), (yr, ty) = x, y
        self._check_rows(tx, ty)
        value = xr + yr if sign > 0 else xr - yr
        shape = np.shape(value)
        if ty is None:
            t = self._rows_for(tx, shape)
        elif tx is None:
            t = self._rows_for(ty if sign > 0 else -ty, shape)
        else:
            tx, ty = self._rows_for(tx, shape), self._rows_for(ty, shape)
            t = tx + ty if sign > 0 else tx - ty
        return self._like(value, t)

    def _mul(self, x, y):
        """The product rule: a fused kernel pass where one applies, else the
        rows of each factor times the other's values (and, at second
        order, the cross products of their first-order rows)."""
        (xr, tx), (yr, ty) = x, y
        self._check_rows(tx, ty)
        fused = self._fused("mul", np.multiply, x, y)
        if fused is not None:
            return fused
        value = xr * yr
        shape = np.shape(value)
        if tx is None or ty is None:   # a constant factor scales the other's rows
            rows, c = (tx, yr) if ty is None else (ty, xr)
            return self._like(value, tz(self._rows_for(rows, shape), c))
        return self._like(value, self._mul_rows(xr, self._rows_for(tx, shape),
                                                yr, self._rows_for(ty, shape)))

    def _div(self, x, y):
        """The quotient rule, as the product rule: fused where it applies."""
        (xr, tx), (yr, ty) = x, y
        self._check_rows(tx, ty)
        fused = self._fused("div", np.divide, x, y)
        if fused is not None:
            return fused
        value = xr / yr
        shape = np.shape(value)
        with np.errstate(all="ignore"):
            if ty is None:   # a constant divisor divides the rows
                return self._like(value, self._rows_for(tx, shape) / yr)
            t = self._div_rows(None if tx is None else self._rows_for(tx, shape),
                               self._rows_for(ty, shape), value, yr)
        return self._like(value, t)

    # -- activations and the functions of dualdiff's namespace ------------------

    def log(self, base=None):
        """log(base=None) -> the natural logarithm (or to base) elementwise, as dualdiff.log."""
        if base is None:
            return self._unary("log")
        real_base = isinstance(base, numbers.Real) and not isinstance(base, ArrayBase)
        lnb = float(np.log(base)) if real_base and base > 0.0 else 0.0
        if lnb == 0.0 or not math.isfinite(lnb):
            # NumPy's semantics: base <= 0 or 1, an array base: nan or inf, NumPy's warning
            return self._unary("log") / (base.log() if isinstance(base, ArrayBase) else np.log(base))
        # the log-base rule, log(base) its parameter: f'' = -(1/x)((1/x)/log b)
        # does not overflow first, as log's f'' divided by log b would
        if type(self)._unary is not Operators._unary:   # HessianArray: f', f'' from a kernel
            r = self._unary("log_base", lnb)
            return self._like(np.log(self._re) / lnb, r._t)
        out = self._block(self._t.shape[0], self._re.shape)
        np.log(self._re, out=out[0, ...])    # NumPy's value and warnings
        out[0, ...] /= lnb
        self._kernels.chain_into("log_base", self._re, self._t, self._order, lnb, True, out)
        return self._like(out[0, ...], out[1:])

    def leaky_relu(self, alpha=0.01):
        """leaky_relu(alpha=0.01) -> dualdiff.leaky_relu elementwise."""
        return self._unary("leaky_relu", float(alpha))

    def gelu(self, approximate=False):
        """gelu(approximate=False) -> dualdiff.gelu elementwise."""
        return self._unary("gelu_tanh" if _common.gelu_form(approximate) else "gelu")

    def power(self, p):
        """power(p) -> self ** p elementwise."""
        return self ** p

    def arctan2(self, x):
        """arctan2(x) -> np.arctan2(self, x) elementwise, as the numbers' method."""
        return np.arctan2(self, x)

    def hypot(self, y):
        """hypot(y) -> np.hypot(self, y) elementwise, as the numbers' method."""
        return np.hypot(self, y)


def _unary_method(name):
    def method(self):
        return self._unary(name)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"{name}(x) elementwise, with its derivative parts."
    return method


# The spec's functions of one number, as methods (those with parameters are above).
for _f in _spec.FUNCTIONS:
    if _f.method and _f.impl is None:
        setattr(Operators, _f.name, _unary_method(_f.name))
del _f
