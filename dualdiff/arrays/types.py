"""The array classes of each shape: storage of their parts, construction,
their scalar elements; the rules come from algebra.py, the rest from
ArrayBase, ops.Operators and protocol.NumpyProtocol."""

import math

import numpy as np

from dualdiff import _common
from dualdiff.arrays.algebra import FirstOrderAlgebra, SecondOrderAlgebra, nan_outside, tz
from dualdiff.arrays.base import ArrayBase
from dualdiff.arrays.ops import Operators
from dualdiff.arrays.protocol import NumpyProtocol


class DualArrayBase(FirstOrderAlgebra, NumpyProtocol, Operators, ArrayBase):
    """DualArray(real, dual=None, *, tangents=None) -> an array of dual numbers real + dual*eps.

    ``real`` and ``dual`` are array-likes of real numbers that broadcast to
    one shape (``dual`` defaults to zeros); ``tangents`` (instead of dual),
    of shape (k,) + real.shape, gives k directions at once, as repr shows
    an array of several.  NumPy's ufuncs and the common
    array functions apply to it with their derivative parts (one C loop per
    elementwise rule on the compiled backend); ``.real`` and ``.dual`` are
    read-only float64 views.

    >>> import numpy as np
    >>> import dualdiff as dd
    >>> x = dd.DualArray([0.0, 1.0], [1.0, 1.0])
    >>> y = np.sin(x) * x
    >>> y.dual   # d/dx x sin(x) = sin(x) + x cos(x)
    array([0.        , 1.38177329])
    """

    __slots__ = ()
    _part_names = ("real", "dual")

    def __new__(cls, real, dual=None, *, tangents=None):
        _common.refuse_masked(cls.__name__, real, dual, tangents)
        if tangents is not None:   # k directions at once, as repr() shows them
            if dual is not None:
                raise TypeError("DualArray() takes dual or tangents, not both")
            real = np.asarray(real, dtype=np.float64)
            rows = np.asarray(tangents, dtype=np.float64)
            if rows.ndim == 0 or rows.shape[1:] != real.shape:
                raise ValueError(f"DualArray(): tangents must have shape (k,) + {real.shape}, "
                                 f"not {rows.shape}")
            return cls._new(real.copy(), rows.copy())
        return cls._from_parts(real, 0.0 if dual is None else dual)

    def _repr_names(self):
        return self._part_names if self._t.shape[0] == 1 else ("real", "tangents")

    @classmethod
    def _directions(cls, real, rows):
        """A DualArray carrying k directions at once: rows of shape (k,) + real.shape."""
        return cls._new(np.array(real, dtype=np.float64), np.array(rows, dtype=np.float64))

    @property
    def dual(self):
        """The derivative parts, a read-only float64 ndarray (one direction only)."""
        if self._t.shape[0] != 1:
            raise ValueError(f"this DualArray carries {self._t.shape[0]} directions; "
                             "use .tangents")
        return self._view(self._t[0])

    @property
    def tangents(self):
        """All tangent directions, of shape (k,) + shape."""
        return self._view(self._t)

    def _scalar_parts(self, other):
        if type(other) is self._scalar:
            if self._tags.of(other) != self._tag:
                raise _common.mixed_perturbation_error(self, other)
            if self._t.shape[0] != 1:
                raise TypeError("a Dual cannot join a DualArray of several directions")
            return np.float64(other.real), np.array([other.dual])
        return None

    def _to_scalar(self, re, t):
        if t.shape[0] == 1:   # a Dual of this array's call
            return self._tags.dual(re, float(t[0]), self._tag)
        return self._like(np.float64(re), t)

    @staticmethod
    def _rows_of_scalar(s):
        return np.array([s.dual])


class HyperDualArrayBase(SecondOrderAlgebra, NumpyProtocol, Operators, ArrayBase):
    """HyperDualArray(real, e1=0.0, e2=0.0, e12=0.0) -> an array of hyper-dual numbers.

    Second derivatives elementwise: with e1 = e2 = 1 and e12 = 0, f(x).e12 is
    f''(x).  Parts broadcast to one shape; NumPy's ufuncs and array
    functions apply as for DualArray.

    >>> import dualdiff as dd
    >>> x = dd.HyperDualArray([1.0, 2.0], 1.0, 1.0)
    >>> (x ** 3).e12   # 6x
    array([ 6., 12.])
    """

    __slots__ = ()
    _order = 2
    _part_names = ("real", "e1", "e2", "e12")

    def __new__(cls, real, e1=0.0, e2=0.0, e12=0.0):
        _common.refuse_masked(cls.__name__, real, e1, e2, e12)
        return cls._from_parts(real, e1, e2, e12)

    e1 = property(lambda self: self._view(self._t[0]), doc="The e1 parts (read-only).")
    e2 = property(lambda self: self._view(self._t[1]), doc="The e2 parts (read-only).")
    e12 = property(lambda self: self._view(self._t[2]), doc="The e1e2 parts (read-only).")

    def _scalar_parts(self, other):
        if type(other) is self._scalar:
            if self._tags.of(other) != self._tag:
                raise _common.mixed_perturbation_error(self, other)
            return np.float64(other.real), np.array([other.e1, other.e2, other.e12])
        return None

    def _to_scalar(self, re, t):   # a HyperDual of this array's call
        return self._tags.hyper(re, float(t[0]), float(t[1]), float(t[2]), self._tag)

    @staticmethod
    def _rows_of_scalar(s):
        return np.array([s.e1, s.e2, s.e12])

    # -- the second-order shape: G = (e1, e2), H = e12 = e1 of one times e2 of the other

    @staticmethod
    def _split(rows):
        return rows[:2], rows[2]

    @staticmethod
    def _join(g, h):
        return np.stack([g[0], g[1], h])

    @staticmethod
    def _left(g):
        return g[0]

    @staticmethod
    def _tz_first(g, c):
        # tz's fix-up of 0 * inf is decided over all it is given: row by row,
        # as e1 and e2 always were, the signs of their zeros stay as they were
        return np.stack([tz(g[0], c), tz(g[1], c)])

    @staticmethod
    def _right(g):
        return g[1]

    def _multilinear_rows(self, term, tangents, a, b, shape):
        """As FirstOrderAlgebra._multilinear_rows, row by row; e12 adds the
        terms with two operands replaced by their e1 and e2 rows."""
        e = [sum(term({i: (t[r], "")}) for i, t in tangents.items()) for r in range(3)]
        for i, ti in tangents.items():
            for j, tj in tangents.items():
                if i != j:
                    e[2] = e[2] + term({i: (ti[0], ""), j: (tj[1], "")})
        return np.stack([np.broadcast_to(r, shape) for r in e])

    def _bilinear(self, op, x, y):
        (xr, tx), (yr, ty) = x, y
        value = op(xr, yr)
        if tx is None or ty is None:
            return value, (np.stack([op(r, yr) for r in tx]) if ty is None
                           else np.stack([op(xr, r) for r in ty]))
        e1 = op(tx[0], yr) + op(xr, ty[0])
        e2 = op(tx[1], yr) + op(xr, ty[1])
        e12 = op(tx[2], yr) + op(xr, ty[2]) + op(tx[0], ty[1]) + op(tx[1], ty[0])
        return value, np.stack([e1, e2, e12])


class HessianArrayBase(SecondOrderAlgebra, NumpyProtocol, Operators, ArrayBase):
    """An array whose elements carry k first partials and a k x k block of
    second partials: what hessian(f, x, vectorized=True) evaluates f at.

    The tangent rows are the k first-order rows G, then the k*k
    second-order rows H (row i*k + j is d2/dx_i dx_j), so that every linear
    operation applies to them as to a DualArray's; the nonlinear ones apply
    the second-order chain rule with the zero-safe products.  Internal: it
    costs (k + k^2) times the memory of the values.
    """

    __slots__ = ()
    _order = 2
    _symmetric_cross = True
    _quiet_sums = True
    _part_names = ("real", "rows")
    rows = property(lambda self: self._view(self._t),
                    doc="The first-order rows, then the second-order ones (read-only).")

    def __new__(cls, real, rows):
        return cls._new(np.asarray(real, dtype=np.float64), np.asarray(rows, dtype=np.float64))

    @staticmethod
    def _k(rows):
        r = rows.shape[0]
        return int(round((math.sqrt(1 + 4 * r) - 1) / 2))

    @classmethod
    def _split(cls, rows):
        """(G, H) of tangent rows: shapes (k,) + s and (k, k) + s."""
        k = cls._k(rows)
        return rows[:k], rows[k:].reshape((k, k) + rows.shape[1:])

    @staticmethod
    def _join(g, h):
        return np.concatenate([g, h.reshape((-1,) + h.shape[2:])])

    @staticmethod
    def _left(g):
        return g[:, None]

    @staticmethod
    def _right(g):
        return g[None, :]

    def _scalar_parts(self, other):
        return None

    def _to_scalar(self, re, t):
        return self._like(np.float64(re), t)

    def _fused(self, op, ufunc, x, y):
        return None   # the backends' fused kernels know DualArray's and HyperDualArray's rows

    def _unary(self, name, param=None, power=np.power):
        # f' and f'' from the HyperDualArray kernel with unit seeds (e1 = e2 = 1):
        # its e1 is f'(a), its e12 f''(a)
        re = self._re
        out = self._block(3, re.shape)
        have_value = self._value_into(name, param, power, out)
        unit = np.broadcast_to(np.array([1.0, 1.0, 0.0]).reshape((3,) + (1,) * re.ndim),
                               (3,) + re.shape)
        outside = self._kernels.chain_into(name, re, unit, 2,
                                           0.0 if param is None else float(param),
                                           have_value, out)
        self._warn_outside(name, outside, out)
        g, h = self._split(self._t)
        rows = self._join(*self._second_rows(g, h, out[1, ...], out[3, ...]))
        return self._like(out[0, ...], nan_outside(rows, out[0, ...], re))

    def _bilinear(self, op, x, y):
        (xr, tx), (yr, ty) = x, y
        value = op(xr, yr)
        if tx is None or ty is None:
            return value, (op(tx, yr) if ty is None else op(xr, ty))
        (xg, xh), (yg, yh) = self._split(tx), self._split(ty)
        g = op(xg, yr) + op(xr, yg)
        cross = op(xg[:, None], yg[None, :])           # B(x_i, y_j)
        h = op(xh, yr) + op(xr, yh) + cross + np.swapaxes(cross, 0, 1)
        return value, self._join(g, h)

    def _multilinear_rows(self, term, tangents, a, b, shape):
        """As FirstOrderAlgebra._multilinear_rows; H adds the terms with two
        operands replaced by their G rows (leading axes a and b)."""
        if not tangents:
            k = self._k(self._t)
            return np.zeros((k + k * k,) + shape)
        split = {i: self._split(t) for i, t in tangents.items()}
        g = sum(term({i: (gh[0], a)}) for i, gh in split.items())
        h = sum(term({i: (gh[1], a + b)}) for i, gh in split.items())
        for i in split:
            for j in split:
                if i != j:
                    h = h + term({i: (split[i][0], a), j: (split[j][0], b)})
        return self._join(g, h)
