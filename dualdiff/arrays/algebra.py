"""The tangent algebra of the array types: zero-safe products, and the
product rule, quotient rule and chain rule of each shape.

Two shapes:

- first order (DualArray): k tangent rows, each carried alike;
- second order (HyperDualArray, HessianArray): first-order rows G and
  second-order rows H, where a product of two first-order rows lands in H
  as ``left(a) * right(b)``.  A HyperDualArray's G is (e1, e2) and its H
  is e12 (left picks e1, right e2); a HessianArray's G is its k gradient
  rows and H its k x k block (left spreads a row over i, right over j).
  One formula per rule serves both.

Every formula is the one each type always used, to the bit: products
commute in IEEE arithmetic, sums do not, so the one place where the two
second-order types order their cross products differently is a class
attribute (``_symmetric_cross``) rather than a second copy of each rule.
"""

import contextlib

import numpy as np

# -- zero-safe products --------------------------------------------------------

_TINY = np.finfo(np.float64).tiny
_HUGE = np.finfo(np.float64).max


def _nan_product(r):
    """True if a product r may have met 0 * inf: then zero-safe forms recompute it."""
    return bool(np.isnan(r).any()) if isinstance(r, np.ndarray) else r != r


def tz(t, c):
    """t * c, zero where t is zero (even where c is infinite or nan)."""
    with np.errstate(all="ignore"):
        r = t * c
    if _nan_product(r):
        r = np.where(t == 0.0, 0.0, r)
    return r


def tt(s, t):
    """s * t, zero where either is zero."""
    with np.errstate(all="ignore"):
        r = s * t
    if _nan_product(r):
        r = np.where((s == 0.0) | (t == 0.0), 0.0, r)
    return r


def _all_normal(r):
    """True if every entry of r is a finite normal number (one pass each for min and max)."""
    m = np.abs(r)
    return m.size == 0 or (m.min() >= _TINY and m.max() <= _HUGE)


def tt3(c, s, t):
    """c * s * t (a second-order coefficient times two tangents), as dd_tt3:
    exactly 0 where s or t is 0 (even where c is inf or nan), and where
    the product under- or overflows while c, s, t are finite and nonzero,
    recomputed from mantissas and exponents, so that an intermediate cannot
    lose a representable product.  The fast path is the formula the chain
    rules always used, (s*t)*c, so results elsewhere keep their bits."""
    with np.errstate(all="ignore"):
        r = (s * t) * c
        if _all_normal(r):   # the common case: this one test
            return r
        c, s, t = np.broadcast_arrays(c, s, t)
        r = np.array(np.broadcast_to(r, c.shape), dtype=np.float64)
        m = np.abs(r)
        zero = (s == 0.0) | (t == 0.0)
        rescue = (~zero & ((m < _TINY) | (m == np.inf)) & (c != 0.0)
                  & np.isfinite(c) & np.isfinite(s) & np.isfinite(t))
        if rescue.any():
            r[rescue] = _scaled_product(c[rescue], s[rescue], t[rescue])
        r[zero] = 0.0
    return r


def _scaled_product(c, s, t, y=None):
    """c * s * t (/ y) from frexp mantissas and exponents: no intermediate
    under- or overflow (only the final ldexp rounds)."""
    (mc, ec), (ms, es), (mt, et) = np.frexp(c), np.frexp(s), np.frexp(t)
    m, e = (mc * ms) * mt, ec.astype(np.int64) + es + et
    if y is not None:
        my, ey = np.frexp(y)
        m, e = m / my, e - ey
    return np.ldexp(m, np.clip(e, -2200, 2200).astype(np.int32))


def _cross3(h, a, b, c, d):
    """h * (a*b + c*d), the cross term of a second-order chain: the plain
    formula, and where it is 0, subnormal or inf with h finite (a product
    may have under- or overflowed), the sum of the two tt3 products."""
    with np.errstate(all="ignore"):
        r = tz(tt(a, b) + tt(c, d), h)
        if _all_normal(r):
            return r
        m = np.abs(r)
        redo = ((m < _TINY) | (m == np.inf)) & np.isfinite(h)
        if not redo.any():
            return r
        return np.where(redo, tt3(h, a, b) + tt3(h, c, d), r)


def _rescued_quotients(a, pairs, y, bad, shape):
    """(a - sum of s*t over pairs) / y with each product taken as s*t/y from
    mantissas and exponents (for the points `bad` where a product under- or
    overflowed)."""
    alt = np.broadcast_to(a / y, shape).copy()
    yb = np.broadcast_to(y, shape)
    for s, t in pairs:
        s, t = np.broadcast_to(s, shape), np.broadcast_to(t, shape)
        q = np.zeros(shape)
        nz = bad & (s != 0.0) & (t != 0.0)
        q[nz] = _scaled_product(np.ones(int(nz.sum())), s[nz], t[nz], yb[nz])
        alt -= q
    return alt


def _less_products_over(a, pairs, y, sum_first=False):
    """(a - sum of s*t over pairs) / y: each product zero-safe, and, where a
    product under- or overflows while s, t and y are finite and nonzero,
    that product is taken as s*t/y from mantissas and exponents (the
    quotient may well be representable: y small or large).  sum_first: the
    products are summed before the subtraction."""
    with np.errstate(all="ignore"):
        prods = [tt(s, t) for s, t in pairs]
        if sum_first:
            r = a - sum(prods[1:], prods[0])
        else:
            r = a
            for p in prods:
                r = r - p
        r = r / y
        bad = None
        for (s, t), p in zip(pairs, prods):
            if _all_normal(p):
                continue
            m = np.abs(p)
            b = (((m < _TINY) | (m == np.inf)) & (s != 0.0) & (t != 0.0)
                 & np.isfinite(s) & np.isfinite(t) & np.isfinite(y) & (y != 0.0))
            bad = b if bad is None else bad | b
        if bad is None or not bad.any():
            return r
        return np.where(bad, _rescued_quotients(a, pairs, y, bad, np.shape(r)), r)


def nan_outside(t, value, *inputs):
    """t with every row nan where the value is nan and no input is: a point
    outside the domain has nan tangents, exactly-zero ones included."""
    if not np.isnan(value).any():   # the common case: one test
        return t
    outside = np.isnan(value)
    for x in inputs:
        outside = outside & ~np.isnan(x)
    return np.where(outside, np.nan, t) if outside.any() else t


# -- the rules of each shape ---------------------------------------------------
#
# Each operates on operands already lifted to (values, rows) with rows
# broadcast to the result's shape (rows None: a constant).  The class
# supplies _like (a result of its kind) and _rows_for (broadcasting rows).

def _plus(a, b):
    """a + b, either of them None for a constant operand's (absent) rows."""
    if a is None:
        return b
    return a if b is None else a + b


class FirstOrderAlgebra:
    """The rules of k first-order tangent rows (DualArray)."""

    __slots__ = ()

    def _apply_rule(self, value, f1, f2):
        """The array of values `value` whose rows follow from this one's by
        the chain rule with coefficients f1 = f'(a), f2 = f''(a)."""
        with np.errstate(all="ignore"):
            return self._like(value, tz(self._t, f1))

    def _mul_rows(self, xr, tx, yr, ty):
        return tz(tx, yr) + tz(ty, xr)

    def _div_rows(self, tx, ty, value, yr):
        u = tz(ty, value)
        return ((tx - u) if tx is not None else -u) / yr

    def _chain2(self, tx, ty, coeffs):
        g0, g1 = coeffs[:2]
        return _plus(None if tx is None else tz(tx, g0), None if ty is None else tz(ty, g1))

    def _bilinear(self, op, x, y):
        (xr, tx), (yr, ty) = x, y
        self._check_rows(tx, ty)
        return op(xr, yr), _plus(None if tx is None else op(tx, yr),
                                 None if ty is None else op(xr, ty))

    def _multilinear_rows(self, term, tangents, a, b, shape):
        """The rows of a multilinear function (einsum) of values of `shape`:
        term({i: (r, lead)}) is the function with operand i replaced by rows
        r (leading axes labelled lead, a or b); tangents maps each perturbed
        operand to its rows."""
        return sum(term({i: (t, a)}) for i, t in tangents.items())


class SecondOrderAlgebra:
    """The rules of first-order rows G and second-order rows H (HyperDualArray,
    HessianArray); the class gives _split, _join, _left and _right."""

    __slots__ = ()
    #: True (HessianArray, whose H is symmetric): the two cross products of
    #: x and y are a_i b_j then b_i a_j, added together before they meet
    #: the rest; False (HyperDualArray): x1 y2 then x2 y1, added in turn.
    #: Each type keeps the rounding it always had.
    _symmetric_cross = False
    #: True (HessianArray): the sums of tangent terms in products and chains
    #: never warn; False (HyperDualArray): inf - inf there warns, as it does
    #: for a DualArray.  Each type keeps the warnings it always gave.
    _quiet_sums = False

    def _sums(self):
        return np.errstate(all="ignore") if self._quiet_sums else contextlib.nullcontext()

    def _crossed(self, xg, yg):
        """The second pair (a, b) of the cross term a*b of x's and y's first
        rows, in the order of this type's formula (the first is left(xg),
        right(yg))."""
        if self._symmetric_cross:
            return self._left(yg), self._right(xg)
        return self._right(xg), self._left(yg)

    @staticmethod
    def _tz_first(g, c):
        """tz(g, c) of first-order rows g (see HyperDualArrayBase's, row by row)."""
        return tz(g, c)

    def _second_rows(self, g, h, f1, f2):
        """(G, H) of f(x) from x's (g, h): f1 = f'(a), f2 = f''(a)."""
        with np.errstate(all="ignore"):
            return self._tz_first(g, f1), tz(h, f1) + tt3(f2, self._left(g), self._right(g))

    def _apply_rule(self, value, f1, f2):
        g, h = self._split(self._t)
        return self._like(value, self._join(*self._second_rows(g, h, f1, f2)))

    def _mul_rows(self, xr, tx, yr, ty):
        (xg, xh), (yg, yh) = self._split(tx), self._split(ty)
        left, right = self._left, self._right
        with self._sums():
            g = self._tz_first(xg, yr) + self._tz_first(yg, xr)
            h = tz(xh, yr) + tz(yh, xr)
            c, d = tt(left(xg), right(yg)), tt(*self._crossed(xg, yg))
            h = h + (c + d) if self._symmetric_cross else h + c + d
        return self._join(g, h)

    def _div_rows(self, tx, ty, value, yr):
        yg, yh = self._split(ty)
        if tx is None:
            xg, xh = np.zeros_like(yg), np.zeros_like(yh)
        else:
            xg, xh = self._split(tx)
        left, right = self._left, self._right
        g = (xg - self._tz_first(yg, value)) / yr
        h = _less_products_over(xh - tz(yh, value),
                                ((left(g), right(yg)), self._crossed(g, yg)), yr,
                                sum_first=self._symmetric_cross)
        return self._join(g, h)

    def _chain2(self, tx, ty, coeffs):
        g0, g1, h0, h1, h2 = coeffs
        zg, zh = self._split(np.zeros_like(tx if tx is not None else ty))
        xg, xh = (zg, zh) if tx is None else self._split(tx)
        yg, yh = (zg, zh) if ty is None else self._split(ty)
        left, right = self._left, self._right
        with self._sums():
            g = self._tz_first(xg, g0) + self._tz_first(yg, g1)
            h = (tz(xh, g0) + tz(yh, g1) + tt3(h0, left(xg), right(xg))
                 + _cross3(h1, left(xg), right(yg), *self._crossed(xg, yg))
                 + tt3(h2, left(yg), right(yg)))
        return self._join(g, h)
