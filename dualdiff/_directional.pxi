# _DirectionalDual: P + eps Q with P and Q GradientDuals (forward over
# forward), for Hessian-vector products in one evaluation.  Seeded with
# P_i = x_i + e_i and Q_i = v_i, f(X) = f(P) + eps f'(P) Q: P carries f(x)
# and its gradient, Q the derivative along v and, in its partials, H(x) v.
# Included by _core.pyx after _gradient.pxi, whose kernels it calls.

cdef extern from "dd_rules.h" nogil:
    double dd_tz(double t, double k)
    double dd_tt(double s, double t)


cdef inline _DirectionalDual _dnew(GradientDual p, GradientDual q):
    cdef _DirectionalDual r = _DirectionalDual.__new__(_DirectionalDual)
    r.p = p
    r.q = q
    return r


cdef struct _term:
    const int *idx   # a GradientDual's partials, times m, times s
    const double *val
    int n
    double m
    double s


cdef inline int _plain(_term *terms, int k, double s, GradientDual g) noexcept:
    """terms[k] = s * g; returns the new count."""
    terms[k].idx, terms[k].val, terms[k].n, terms[k].m, terms[k].s = g.idx, g.val, g.n, 1.0, s
    return k + 1


cdef inline int _second(_term *terms, int k, double s, double m, GradientDual g) noexcept:
    """terms[k] = s * (m * g) for a tangent m, unless s or m is zero: a
    product of zero tangents is an absent term, not 0 * inf (and a zero
    coefficient is one, as in HessianDual's outer products)."""
    if s == 0.0 or m == 0.0:
        return k
    terms[k].idx, terms[k].val, terms[k].n, terms[k].m, terms[k].s = g.idx, g.val, g.n, m, s
    return k + 1


cdef GradientDual _gsum(double re, _term *terms, int count, long tag):
    """re + the sum of the terms, in one pass over their index lists (as
    dd_sp_axpby over two), each entry tz(tt(v, m), s) as dd_sp_outer writes
    a Hessian's: along v = e_k, hvp is then the Hessian's column k exactly
    (division aside).  Terms at one index are added in list order."""
    cdef int at[6]
    cdef int j, k = 0, lo
    cdef Py_ssize_t cap = 0   # up to six int counts: their sum may pass INT_MAX
    cdef bint first
    cdef double acc = 0.0, t
    for j in range(count):
        at[j] = 0
        cap += terms[j].n
    cdef GradientDual r = _gnew(re, _hcount(cap))
    while True:
        lo = -1
        for j in range(count):
            if at[j] < terms[j].n and (lo < 0 or terms[j].idx[at[j]] < lo):
                lo = terms[j].idx[at[j]]
        if lo < 0:
            break
        first = True
        for j in range(count):
            if at[j] < terms[j].n and terms[j].idx[at[j]] == lo:
                t = dd_tz(dd_tt(terms[j].val[at[j]], terms[j].m), terms[j].s)
                acc = t if first else acc + t
                first = False
                at[j] += 1
        r.idx[k] = lo
        r.val[k] = acc
        k += 1
    r.n = k
    r.tag = tag
    return r


# -- the chain rule, one helper per shape ------------------------------------

cdef _DirectionalDual _dchain(_DirectionalDual x, double f0, double f1, double f2):
    """f(x) from f's Taylor coefficients: P' = f(P), Q' = f'(P) Q with
    f'(P) = f1 + f2 gP, so Q' = (f1 d, f1 gQ + f2 d gP), d = Q.real."""
    cdef _term terms[2]
    cdef double d = x.q.re
    cdef int k = _plain(terms, 0, f1, x.q)
    k = _second(terms, k, f2, d, x.p)
    return _dnew(_gscale(f0, f1, x.p), _gsum(dd_tz(d, f1), terms, k, _call_tag(x.q.tag, x.p.tag)))


cdef _DirectionalDual _dchain2(_DirectionalDual x, _DirectionalDual y, double v,
                              const double *g, const double *h):
    """f(x, y) from its value, gradient g and Hessian h = (f_xx, f_xy, f_yy):
    Q' = f_x(P) Qx + f_y(P) Qy, whose partials are
    g0 gQx + g1 gQy + (h0 dx + h1 dy) gPx + (h1 dx + h2 dy) gPy, the
    second-order terms in HessianDual's order (x x, x y, y x, y y)."""
    cdef _term terms[6]
    cdef double dx = x.q.re, dy = y.q.re
    cdef long tag = _call_tag(_call_tag(x.p.tag, y.p.tag), _call_tag(x.q.tag, y.q.tag))
    cdef int k = _plain(terms, 0, g[0], x.q)
    k = _plain(terms, k, g[1], y.q)
    k = _second(terms, k, h[0], dx, x.p)
    k = _second(terms, k, h[1], dy, x.p)
    k = _second(terms, k, h[1], dx, y.p)
    k = _second(terms, k, h[2], dy, y.p)
    return _dnew(_gmerge(v, g[0], x.p, g[1], y.p),
                 _gsum(dd_tz(dx, g[0]) + dd_tz(dy, g[1]), terms, k, tag))


cdef _DirectionalDual _dmul(_DirectionalDual x, _DirectionalDual y):
    cdef double g[2]
    cdef double h[3]
    g[0], g[1] = y.p.re, x.p.re
    h[0], h[1], h[2] = 0.0, 1.0, 0.0
    return _dchain2(x, y, x.p.re * y.p.re, g, h)


cdef _DirectionalDual _ddiv(_DirectionalDual x, _DirectionalDual y):
    """x / y by the quotient rule over GradientDuals: R = Px / Py and
    S = (Qx - R Qy) / Py, so that x / x is exactly 1 + eps 0."""
    cdef GradientDual r = _grad_div(x.p, y.p)   # raises ZeroDivisionError at Py == 0
    cdef double b = y.p.re, dy = y.q.re
    cdef double s0 = (x.q.re - dd_tz(dy, r.re)) / b
    # S's partials: (gQx - R gQy - dy gR - S gPy) / Py, numerator in one pass
    cdef _term terms[4]
    cdef int k = _plain(terms, 0, 1.0, x.q)
    k = _plain(terms, k, -r.re, y.q)
    k = _second(terms, k, -1.0, dy, r)
    k = _second(terms, k, -1.0, s0, y.p)
    cdef GradientDual s = _gsum(s0, terms, k, _call_tag(_call_tag(x.q.tag, y.q.tag), r.tag))
    for k in range(s.n):
        s.val[k] = s.val[k] / b
    return _dnew(r, s)


cdef _DirectionalDual _dunary(_DirectionalDual x, int rid):
    cdef double f[3]
    cdef const dd_rule_entry *e = &dd_rules[rid]
    e.fn(x.p.re, f, 2)
    cdef int st = dd_value_status(x.p.re, f[0], e.flags)
    if st != DD_OK:
        _raise_math(st, rid, x.p.re)
    return _dchain(x, f[0], f[1], f[2])


cdef _DirectionalDual _dpow(_DirectionalDual x, double p):
    cdef double f[3]
    dd_pow_rule(x.p.re, p, f, 2)
    _check_pow(x.p.re, p, f[0])
    return _dchain(x, f[0], f[1], f[2])


cdef _DirectionalDual _dir_binary(_DirectionalDual x, _DirectionalDual y, int op):
    cdef double g[2]
    cdef double h[3]
    cdef double v
    if op == _POW:
        if y.p.n == 0 and y.q.n == 0 and y.q.re == 0.0:   # constant exponent: negative bases work
            return _dpow(x, y.p.re)
        v = c_pow(x.p.re, y.p.re)
        _check_pow(x.p.re, y.p.re, v)
        dd_pow2_partials(x.p.re, y.p.re, v, 2, g, h)
    elif op == _ATAN2:
        v = c_atan2(x.p.re, y.p.re)
        dd_atan2_partials(x.p.re, y.p.re, 2, g, h)
    else:
        v = c_hypot(x.p.re, y.p.re)
        dd_hypot_partials(x.p.re, y.p.re, v, 2, g, h)
    return _dchain2(x, y, v, g, h)


cdef _DirectionalDual _dconst(double c):
    return _dnew(_gconst(c), _gconst(0.0))


cdef _DirectionalDual _as_dir(object o, int op):
    if type(o) is _DirectionalDual:
        return <_DirectionalDual>o
    return _dconst(_arg(o, _BINARY_NAMES[op], "a real number or a _DirectionalDual"))


cdef _DirectionalDual _dlinear(_DirectionalDual x, double s, _DirectionalDual y, double t, double v):
    """s x + t y with the value v: Q' = s Qx + t Qy, no second-order term."""
    return _dnew(_gmerge(v, s, x.p, t, y.p),
                 _gmerge(dd_tz(x.q.re, s) + dd_tz(y.q.re, t), s, x.q, t, y.q))


cdef _DirectionalDual _dscaled(_DirectionalDual x, double s, double v):
    """s x + c with the value v."""
    return _dnew(_gscale(v, s, x.p), _gscale(dd_tz(x.q.re, s), s, x.q))


@cython.freelist(256)
@cython.final
cdef class _DirectionalDual:
    """_DirectionalDual(primal, tangent)
--

_DirectionalDual(primal, tangent)

    ``primal + tangent * eps`` (``eps**2 == 0``) whose two parts are
    GradientDuals: forward mode over forward mode.  Evaluating ``f`` at
    ``_DirectionalDual(GradientDual(x_i, {i: 1.0}), GradientDual(v_i))`` for
    each variable gives ``f(x)`` and its gradient in the primal part, the
    derivative along v and the Hessian-vector product H(x) v in the tangent
    part, in one pass: what ``hvp`` evaluates f at.

    >>> from dualdiff._core import GradientDual, _DirectionalDual
    >>> x = _DirectionalDual(GradientDual(3.0, {0: 1.0}), GradientDual(1.0))
    >>> y = _DirectionalDual(GradientDual(2.0, {1: 1.0}), GradientDual(0.0))
    >>> (x * x * y).tangent.partials   # H v, v = (1, 0)
    {0: 4.0, 1: 6.0}
    """

    cdef GradientDual p   # the value and its gradient
    cdef GradientDual q   # the derivative along v and its gradient, H(x) v

    def __init__(self, primal, tangent):
        if type(primal) is not GradientDual or type(tangent) is not GradientDual:
            raise TypeError("_DirectionalDual(primal, tangent) takes two GradientDuals, not "
                            f"{type(primal).__name__!r} and {type(tangent).__name__!r}")
        self.p = primal
        self.q = tangent

    @property
    def real(self):
        """The value part."""
        return self.p.re

    @property
    def primal(self):
        """The value and its gradient, a GradientDual."""
        return self.p

    @property
    def tangent(self):
        """The derivative along the direction and its gradient, a GradientDual."""
        return self.q

    # -- protocol ---------------------------------------------------------

    def __repr__(self):
        return f"_DirectionalDual({self.p!r}, {self.q!r})"

    def __reduce__(self):
        return (_DirectionalDual, (self.p, self.q))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __float__(self):
        raise _common.float_error(self)

    def __hash__(self):
        raise _common.unhashable_error(self)

    def __bool__(self):
        return self.p.re != 0.0

    def __eq__(self, other):
        cdef double o
        return self.p.re == o if _dir_real(other, &o) else NotImplemented

    def __ne__(self, other):
        cdef double o
        return self.p.re != o if _dir_real(other, &o) else NotImplemented

    def __lt__(self, other):
        cdef double o
        return self.p.re < o if _dir_real(other, &o) else NotImplemented

    def __le__(self, other):
        cdef double o
        return self.p.re <= o if _dir_real(other, &o) else NotImplemented

    def __gt__(self, other):
        cdef double o
        return self.p.re > o if _dir_real(other, &o) else NotImplemented

    def __ge__(self, other):
        cdef double o
        return self.p.re >= o if _dir_real(other, &o) else NotImplemented

    # -- arithmetic (c_api_binop_methods: when x is not a _DirectionalDual, y is)

    def __add__(x, y):
        cdef double c
        if type(x) is _DirectionalDual:
            if type(y) is _DirectionalDual:
                return _dlinear(x, 1.0, y, 1.0, (<_DirectionalDual>x).p.re + (<_DirectionalDual>y).p.re)
            if _to_double(y, &c):
                return _dscaled(x, 1.0, (<_DirectionalDual>x).p.re + c)
        elif _to_double(x, &c):
            return _dscaled(y, 1.0, c + (<_DirectionalDual>y).p.re)
        return _mixed_types(x, y)

    def __sub__(x, y):
        cdef double c
        if type(x) is _DirectionalDual:
            if type(y) is _DirectionalDual:
                return _dlinear(x, 1.0, y, -1.0, (<_DirectionalDual>x).p.re - (<_DirectionalDual>y).p.re)
            if _to_double(y, &c):
                return _dscaled(x, 1.0, (<_DirectionalDual>x).p.re - c)
        elif _to_double(x, &c):
            return _dscaled(y, -1.0, c - (<_DirectionalDual>y).p.re)
        return _mixed_types(x, y)

    def __mul__(x, y):
        cdef double c
        if type(x) is _DirectionalDual:
            if type(y) is _DirectionalDual:
                return _dmul(x, y)
            if _to_double(y, &c):
                return _dscaled(x, c, (<_DirectionalDual>x).p.re * c)
        elif _to_double(x, &c):
            return _dscaled(y, c, c * (<_DirectionalDual>y).p.re)
        return _mixed_types(x, y)

    def __truediv__(x, y):
        cdef double c
        if type(x) is _DirectionalDual:
            if type(y) is _DirectionalDual:
                return _ddiv(x, y)
            if _to_double(y, &c):
                return _ddiv(x, _dconst(c))
        elif _to_double(x, &c):
            return _ddiv(_dconst(c), y)
        return _mixed_types(x, y)

    def __pow__(x, y, mod):
        cdef double c
        if mod is not None:
            raise TypeError("pow() 3rd argument not allowed for dualdiff numbers")
        if type(x) is _DirectionalDual:
            if type(y) is _DirectionalDual:
                return _dir_binary(x, y, _POW)
            if _to_double(y, &c):
                return _dpow(x, c)
        elif _to_double(x, &c):
            return _dir_binary(_dconst(c), y, _POW)
        return _mixed_types(x, y)

    def __neg__(self):
        return _dscaled(self, -1.0, -self.p.re)

    def __pos__(self):
        return self

    def __abs__(self):
        return _dunary(self, DD_RULE_abs)

    def __floor__(self):
        return _dunary(self, DD_RULE_floor)

    def __ceil__(self):
        return _dunary(self, DD_RULE_ceil)


cdef _DirectionalDual _dleaky(_DirectionalDual x, double alpha):
    cdef double f[3]
    dd_leaky_relu_rule(x.p.re, alpha, f, 2)
    return _dchain(x, f[0], f[1], f[2])


cdef int _dir_real(object o, double *out) except -1:
    """The real part of a number for comparisons with a _DirectionalDual."""
    if type(o) is _DirectionalDual:
        out[0] = (<_DirectionalDual>o).p.re
        return 1
    return _grad_real(o, out)


def _hvp_seeds(x, v, long tag):
    """_hvp_seeds(x, v, tag) -> object ndarray of _DirectionalDual(GradientDual(x[i], {i: 1.0}),
    GradientDual(v[i])) of the call `tag`, for 1-D float64 ndarrays x and v."""
    cdef const double[:] xs = x
    cdef const double[:] vs = v
    cdef Py_ssize_t i, n = xs.shape[0]
    cdef GradientDual q
    if vs.shape[0] != n:
        raise ValueError(f"_hvp_seeds() expects v of x's length {n}, not {vs.shape[0]}")
    _hcount(n)   # the variables' indices are C ints
    out = _np_empty(n, _object_dtype)
    for i in range(n):
        q = _gconst(vs[i])
        q.tag = tag
        out[i] = _dnew(_gradient_seed(xs[i], i, tag), q)
    return out
