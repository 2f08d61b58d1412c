# HessianDual: a value, its sparse gradient and its sparse Hessian
# (src_c/dd_sparse.h), for Hessians in one evaluation.  Included by
# _core.pyx after _gradient.pxi.
#
# Every result is built the same way: the gradient by one C kernel (a scaled
# copy or a merge), the Hessian as a sum of scaled Hessians and scaled outer
# products of gradients, accumulated one merge at a time in a _hlist.

cdef extern from "dd_sparse.h" nogil:
    dd_key dd_pair(int i, int j)
    int dd_sp2_axpby(double s, const dd_key *gk, const double *gv, int ng,
                     double t, const dd_key *hk, const double *hv, int nh,
                     dd_key *rk, double *rv)
    int dd_sp_outer(double c, const int *ai, const double *av, int na,
                    const int *bi, const double *bv, int nb, dd_key *rk, double *rv)
    int dd_sp2_scale_sc(dd_scaled s, const dd_key *gk, const double *gv, int n,
                        dd_key *rk, double *rv)
    int dd_sp_outer_sc(dd_scaled c, const int *ai, const double *av, int na,
                       const int *bi, const double *bv, int nb, dd_key *rk, double *rv)


from libc.limits cimport INT_MAX


cdef struct _hlist:
    int m
    dd_key *k
    double *v


cdef Py_ssize_t _hcount(Py_ssize_t count) except -1:
    """A count of entries, computed in Py_ssize_t (never in an int, whose
    product of two counts wraps around past 46,340 partials): MemoryError
    where the int-counted lists of dd_sparse.h cannot hold it."""
    if count > INT_MAX:
        raise MemoryError(f"{count} partials are more than a HessianDual holds")
    return count if count > 0 else 0


cdef void *_alloc(Py_ssize_t count, size_t each) except NULL:
    """Room for `count` entries of `each` bytes (at least one): MemoryError
    where the size overflows or the allocation fails."""
    if count < 1:
        count = 1
    if <size_t>count > <size_t>PY_SSIZE_T_MAX / each:
        raise MemoryError()
    cdef void *block = PyMem_Malloc(<size_t>count * each)
    if block == NULL:
        raise MemoryError()
    return block


cdef int _hl_reserve(_hlist *l, Py_ssize_t cap) except -1:
    cap = _hcount(cap)
    cdef char *block = <char *>_alloc(cap, sizeof(dd_key) + sizeof(double))
    l.m = 0
    l.k = <dd_key *>block
    l.v = <double *>(block + (cap if cap > 0 else 1) * sizeof(dd_key))
    return 0


cdef inline void _hl_release(_hlist *l) noexcept:
    PyMem_Free(l.k)
    l.k = NULL


cdef int _hl_add(_hlist *acc, double s, const dd_key *k, const double *v, int m) except -1:
    """acc += s * (k, v)."""
    cdef _hlist r
    if m == 0:
        return 0
    _hl_reserve(&r, <Py_ssize_t>acc.m + m)
    r.m = dd_sp2_axpby(1.0, acc.k, acc.v, acc.m, s, k, v, m, r.k, r.v)
    _hl_release(acc)
    acc[0] = r
    return 0


cdef int _hl_add_outer(_hlist *acc, double c, HessianDual a, HessianDual b) except -1:
    """acc += c * (gradient of a) outer (gradient of b).  c == 0 adds nothing,
    even against infinite partials: a zero coefficient is an absent term."""
    cdef _hlist o
    if c == 0.0 or a.n == 0 or b.n == 0:
        return 0
    _hl_reserve(&o, <Py_ssize_t>a.n * b.n)
    o.m = dd_sp_outer(c, a.gi, a.gv, a.n, b.gi, b.gv, b.n, o.k, o.v)
    try:
        _hl_add(acc, 1.0, o.k, o.v, o.m)
    finally:
        _hl_release(&o)
    return 0


cdef HessianDual _hnew(double re, Py_ssize_t ncap, _hlist *hess):
    """A HessianDual with room for `ncap` partials; it takes over `hess`."""
    cdef HessianDual r = HessianDual.__new__(HessianDual)
    cdef char *block
    try:
        ncap = _hcount(ncap)
        block = <char *>_alloc(ncap, sizeof(double) + sizeof(int))
    except MemoryError:
        _hl_release(hess)
        raise
    r.re = re
    r.gv = <double *>block
    r.gi = <int *>(block + (ncap if ncap > 0 else 1) * sizeof(double))
    r.hk, r.hv, r.m = hess.k, hess.v, hess.m
    hess.k = NULL
    return r


cdef HessianDual _hchain(HessianDual x, double f0, double f1, double f2):
    """f(x) from f's Taylor coefficients: gradient f' g, Hessian f' H + f'' g g^T."""
    cdef _hlist acc
    _hl_reserve(&acc, x.m)
    acc.m = dd_sp2_axpby(f1, x.hk, x.hv, x.m, 0.0, NULL, NULL, 0, acc.k, acc.v)
    try:
        _hl_add_outer(&acc, f2, x, x)
    except BaseException:
        _hl_release(&acc)
        raise
    cdef HessianDual r = _hnew(f0, x.n, &acc)
    r.n = dd_sp_scale(f1, x.gi, x.gv, x.n, r.gi, r.gv)
    r.tag = x.tag
    return r


cdef HessianDual _hchain2(HessianDual x, HessianDual y, double v,
                          const double *g, const double *h):
    """f(x, y) from its value, gradient g and Hessian h = (f_xx, f_xy, f_yy)."""
    cdef long tag = _call_tag(x.tag, y.tag)
    cdef _hlist acc
    _hl_reserve(&acc, x.m)
    acc.m = dd_sp2_axpby(g[0], x.hk, x.hv, x.m, 0.0, NULL, NULL, 0, acc.k, acc.v)
    try:
        _hl_add(&acc, g[1], y.hk, y.hv, y.m)
        _hl_add_outer(&acc, h[0], x, x)
        _hl_add_outer(&acc, h[1], x, y)
        _hl_add_outer(&acc, h[1], y, x)
        _hl_add_outer(&acc, h[2], y, y)
    except BaseException:
        _hl_release(&acc)
        raise
    cdef HessianDual r = _hnew(v, <Py_ssize_t>x.n + y.n, &acc)
    r.n = dd_sp_axpby(g[0], x.gi, x.gv, x.n, g[1], y.gi, y.gv, y.n, r.gi, r.gv)
    r.tag = tag
    return r


cdef HessianDual _hconst(double c):
    cdef _hlist empty
    _hl_reserve(&empty, 0)
    return _hnew(c, 0, &empty)


# The binary operations as two-argument functions: (value, gradient, Hessian).
cdef double _G_ADD[2]
cdef double _G_SUB[2]
cdef double _H_ZERO[3]
_G_ADD[0], _G_ADD[1] = 1.0, 1.0
_G_SUB[0], _G_SUB[1] = 1.0, -1.0
_H_ZERO[0], _H_ZERO[1], _H_ZERO[2] = 0.0, 0.0, 0.0


cdef HessianDual _hmul(HessianDual x, HessianDual y):
    cdef double g[2]
    cdef double h[3]
    g[0], g[1] = y.re, x.re
    h[0], h[1], h[2] = 0.0, 1.0, 0.0
    return _hchain2(x, y, x.re * y.re, g, h)


cdef HessianDual _hdiv(HessianDual x, HessianDual y):
    """x / y by the quotient rule, q = x/y solving x = q y part by part:
    gradient (gx - q gy)/y, Hessian (Hx - q Hy - (gq gy^T + gy gq^T))/y.
    Not x (1/y): the reciprocal's Hessian 2/y^3 overflows for |y| < 1e-103
    where the quotient's need not, and v/v's Hessian is then exactly 0."""
    cdef double b = y.re, q
    cdef Py_ssize_t k
    if b == 0.0:
        raise _common.zero_division()
    q = x.re / b
    cdef _hlist acc
    _hl_reserve(&acc, 0)
    cdef HessianDual r = _hnew(q, <Py_ssize_t>x.n + y.n, &acc)   # its Hessian comes last
    r.n = dd_sp_axpby(1.0, x.gi, x.gv, x.n, -q, y.gi, y.gv, y.n, r.gi, r.gv)
    for k in range(r.n):
        r.gv[k] = r.gv[k] / b
    r.tag = _call_tag(x.tag, y.tag)
    _hl_reserve(&acc, <Py_ssize_t>x.m + y.m)
    acc.m = dd_sp2_axpby(1.0, x.hk, x.hv, x.m, -q, y.hk, y.hv, y.m, acc.k, acc.v)
    try:
        _hl_add_outer(&acc, -1.0, r, y)
        _hl_add_outer(&acc, -1.0, y, r)
    except BaseException:
        _hl_release(&acc)
        raise
    for k in range(acc.m):
        acc.v[k] = acc.v[k] / b
    PyMem_Free(r.hk)
    r.hk, r.hv, r.m = acc.k, acc.v, acc.m
    return r


cdef HessianDual _hess_unary(HessianDual x, int rid):
    cdef double f[3]
    cdef const dd_rule_entry *e = &dd_rules[rid]
    e.fn(x.re, f, 2)
    cdef int st = dd_value_status(x.re, f[0], e.flags)
    if st != DD_OK:
        _raise_math(st, rid, x.re)
    return _hchain(x, f[0], f[1], f[2])


cdef HessianDual _hess_pow(HessianDual x, double p):
    cdef double f[3]
    cdef dd_scaled c[2]
    dd_pow_rule(x.re, p, f, 2)
    _check_pow(x.re, p, f[0])
    if not (isnormal(f[1]) and isnormal(f[2])) and dd_pow_rescues(x.re, p, f[0]):
        # f' or f'' leaves the doubles where its products may not (dd_hyper_pow_v)
        dd_pow_scaled(x.re, p, f[0], 2, c)
        return _hchain_scaled(x, f[0], c)
    return _hchain(x, f[0], f[1], f[2])


cdef HessianDual _hchain_scaled(HessianDual x, double f0, dd_scaled *c):
    """_hchain with f' = c[0] and f'' = c[1] in dd_scaled form."""
    cdef _hlist acc, o
    _hl_reserve(&acc, x.m)
    acc.m = dd_sp2_scale_sc(c[0], x.hk, x.hv, x.m, acc.k, acc.v)
    try:
        if x.n:
            _hl_reserve(&o, <Py_ssize_t>x.n * x.n)
            o.m = dd_sp_outer_sc(c[1], x.gi, x.gv, x.n, x.gi, x.gv, x.n, o.k, o.v)
            try:
                _hl_add(&acc, 1.0, o.k, o.v, o.m)
            finally:
                _hl_release(&o)
    except BaseException:
        _hl_release(&acc)
        raise
    cdef HessianDual r = _hnew(f0, x.n, &acc)
    r.n = dd_sp_scale_sc(c[0], x.gi, x.gv, x.n, r.gi, r.gv)
    r.tag = x.tag
    return r


cdef HessianDual _hess_binary(HessianDual x, HessianDual y, int op):
    cdef double g[2]
    cdef double h[3]
    cdef double v
    if op == _POW:
        if y.n == 0:   # constant exponent: negative bases work
            return _hess_pow(x, y.re)
        v = c_pow(x.re, y.re)
        _check_pow(x.re, y.re, v)
        dd_pow2_partials(x.re, y.re, v, 2, g, h)
    elif op == _ATAN2:
        v = c_atan2(x.re, y.re)
        dd_atan2_partials(x.re, y.re, 2, g, h)
    else:
        v = c_hypot(x.re, y.re)
        dd_hypot_partials(x.re, y.re, v, 2, g, h)
    return _hchain2(x, y, v, g, h)


cdef HessianDual _as_hess(object o, int op):
    if type(o) is HessianDual:
        return <HessianDual>o
    return _hconst(_arg(o, _BINARY_NAMES[op], "a real number or a HessianDual"))


@cython.freelist(64)
@cython.final
cdef class HessianDual:
    """HessianDual(real, partials=None, hessian=None)
--

HessianDual(real, partials=None, hessian=None)

    A value with its gradient and Hessian, for second derivatives of
    functions of several variables in one pass: evaluating ``f`` at
    ``HessianDual(x_i, {i: 1.0})`` for each variable gives ``f(x)``, its
    gradient and its Hessian.  ``partials`` maps variable indices to first
    partials, ``hessian`` maps index pairs ``(i, j)`` to second partials (the
    other triangle is filled in).  Both are stored sparsely.
    The methods named after NumPy's ufuncs (``x.sin()``, ``x.exp()``, ...)
    are what ``np.sin(x)`` calls; they equal ``dd.sin(x)``.

    >>> import dualdiff as dd
    >>> x = dd.HessianDual(3.0, {0: 1.0})
    >>> y = dd.HessianDual(2.0, {1: 1.0})
    >>> (x * x * y).hessian(2)
    array([[4., 6.],
           [6., 0.]])
    """

    def __init__(self, real, partials=None, hessian=None):
        cdef Py_ssize_t k
        re = _arg(real, "HessianDual", "a real number")
        grad = sorted(_common.checked_partials("HessianDual", partials).items())
        pairs = _common.checked_hessian("HessianDual", hessian)
        if self.gv != NULL:   # __init__ called again
            PyMem_Free(self.gv)
            self.gv = NULL
        if self.hk != NULL:
            PyMem_Free(self.hk)
            self.hk = NULL
        self.n = self.m = 0   # empty, not dangling, should an allocation below fail
        cdef _hlist acc
        _hl_reserve(&acc, len(pairs))
        for k, ((i, j), v) in enumerate(sorted(pairs.items())):
            acc.k[k] = dd_pair(i, j)
            acc.v[k] = v
        acc.m = len(pairs)
        cdef char *block
        try:
            block = <char *>_alloc(_hcount(len(grad)), sizeof(double) + sizeof(int))
        except MemoryError:
            _hl_release(&acc)
            raise
        self.gv = <double *>block
        self.gi = <int *>(block + (len(grad) or 1) * sizeof(double))
        for k, (i, v) in enumerate(grad):
            self.gi[k] = i
            self.gv[k] = v
        self.n = len(grad)
        self.hk, self.hv, self.m = acc.k, acc.v, acc.m
        self.re = re

    def __dealloc__(self):
        PyMem_Free(self.gv)
        PyMem_Free(self.hk)

    @property
    def real(self):
        """The value part."""
        return self.re

    @property
    def partials(self):
        """The stored first partials, as a dict {variable index: value}."""
        return {self.gi[k]: self.gv[k] for k in range(self.n)}

    @property
    def hessian_entries(self):
        """The stored second partials, as a dict {(i, j): value} with i <= j."""
        return {(<int>(self.hk[k] >> 32), <int>(self.hk[k] & 0xFFFFFFFF)): self.hv[k]
                for k in range(self.m) if (self.hk[k] >> 32) <= (self.hk[k] & 0xFFFFFFFF)}

    def gradient(self, n):
        """gradient(n) -> the first partials as a dense float64 ndarray of length n."""
        return _dense_gradient(self.gi, self.gv, self.n, n)

    def hessian(self, Py_ssize_t n):
        """hessian(n) -> the second partials as a dense, exactly symmetric (n, n) ndarray."""
        cdef Py_ssize_t k
        cdef int i, j
        if self.n and self.gi[self.n - 1] >= n:
            raise ValueError(f"the number depends on variable {self.gi[self.n - 1]}, "
                             f"beyond length {n}")
        if self.m and <Py_ssize_t>(self.hk[self.m - 1] >> 32) >= n:   # the largest row index
            raise ValueError(f"the number depends on variable {self.hk[self.m - 1] >> 32}, "
                             f"beyond length {n}")
        out = _np_zeros((n, n))
        cdef Py_buffer ob
        cdef double *view
        PyObject_GetBuffer(out, &ob, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS)
        view = <double *>ob.buf
        for k in range(self.m):   # one triangle, mirrored: exactly symmetric
            i, j = <int>(self.hk[k] >> 32), <int>(self.hk[k] & 0xFFFFFFFF)
            if i <= j:
                view[i * n + j] = self.hv[k]
                view[j * n + i] = self.hv[k]
        PyBuffer_Release(&ob)
        return out

    # -- protocol ---------------------------------------------------------

    def __repr__(self):
        return _common.format_hessian_repr(self.re, self.partials, self.hessian_entries)

    def __reduce__(self):
        return (HessianDual, (self.re, self.partials, self.hessian_entries))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __float__(self):
        raise _common.float_error(self)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        cdef int rid = _UFUNC_RULES.get(ufunc, -1)
        if rid >= 0 and method == "__call__" and len(inputs) == 1 and not kwargs:
            return _hess_unary(self, rid)
        return _common.scalar_array_ufunc(self, ufunc, method, inputs, kwargs)

    def __hash__(self):
        raise _common.unhashable_error(self)

    def __bool__(self):
        return self.re != 0.0

    def __eq__(self, other):
        cdef double o
        return self.re == o if _hess_real(other, &o) else NotImplemented

    def __ne__(self, other):
        cdef double o
        return self.re != o if _hess_real(other, &o) else NotImplemented

    def __lt__(self, other):
        cdef double o
        return self.re < o if _hess_real(other, &o) else NotImplemented

    def __le__(self, other):
        cdef double o
        return self.re <= o if _hess_real(other, &o) else NotImplemented

    def __gt__(self, other):
        cdef double o
        return self.re > o if _hess_real(other, &o) else NotImplemented

    def __ge__(self, other):
        cdef double o
        return self.re >= o if _hess_real(other, &o) else NotImplemented

    # -- arithmetic (c_api_binop_methods: when x is not a HessianDual, y is) --

    def __add__(x, y):
        cdef double c
        if type(x) is HessianDual:
            if type(y) is HessianDual:
                return _hchain2(<HessianDual>x, <HessianDual>y,
                                (<HessianDual>x).re + (<HessianDual>y).re, _G_ADD, _H_ZERO)
            if _to_double(y, &c):
                return _hchain(<HessianDual>x, (<HessianDual>x).re + c, 1.0, 0.0)
        elif _to_double(x, &c):
            return _hchain(<HessianDual>y, c + (<HessianDual>y).re, 1.0, 0.0)
        return _mixed_types(x, y)

    def __sub__(x, y):
        cdef double c
        if type(x) is HessianDual:
            if type(y) is HessianDual:
                return _hchain2(<HessianDual>x, <HessianDual>y,
                                (<HessianDual>x).re - (<HessianDual>y).re, _G_SUB, _H_ZERO)
            if _to_double(y, &c):
                return _hchain(<HessianDual>x, (<HessianDual>x).re - c, 1.0, 0.0)
        elif _to_double(x, &c):
            return _hchain(<HessianDual>y, c - (<HessianDual>y).re, -1.0, 0.0)
        return _mixed_types(x, y)

    def __mul__(x, y):
        cdef double c
        if type(x) is HessianDual:
            if type(y) is HessianDual:
                return _hmul(<HessianDual>x, <HessianDual>y)
            if _to_double(y, &c):
                return _hchain(<HessianDual>x, (<HessianDual>x).re * c, c, 0.0)
        elif _to_double(x, &c):
            return _hchain(<HessianDual>y, c * (<HessianDual>y).re, c, 0.0)
        return _mixed_types(x, y)

    def __truediv__(x, y):
        cdef double c
        if type(x) is HessianDual:
            if type(y) is HessianDual:
                return _hdiv(<HessianDual>x, <HessianDual>y)
            if _to_double(y, &c):
                return _hdiv(<HessianDual>x, _hconst(c))
        elif _to_double(x, &c):
            return _hdiv(_hconst(c), <HessianDual>y)
        return _mixed_types(x, y)

    def __pow__(x, y, mod):
        cdef double c
        if mod is not None:
            raise TypeError("pow() 3rd argument not allowed for dualdiff numbers")
        if type(x) is HessianDual:
            if type(y) is HessianDual:
                return _hess_binary(<HessianDual>x, <HessianDual>y, _POW)
            if _to_double(y, &c):
                return _hess_pow(<HessianDual>x, c)
        elif _to_double(x, &c):
            return _hess_binary(_hconst(c), <HessianDual>y, _POW)
        return _mixed_types(x, y)

    def __neg__(self):
        return _hchain(self, -self.re, -1.0, 0.0)

    def __pos__(self):
        return self

    def conjugate(self):
        """conjugate() -> the number itself, as float.conjugate() (np.var of an object array calls it)."""
        return self

    def __abs__(self):
        return _hess_unary(self, DD_RULE_abs)

    def __floor__(self):
        return _hess_unary(self, DD_RULE_floor)

    def __ceil__(self):
        return _hess_unary(self, DD_RULE_ceil)


cdef int _hess_real(object o, double *out) except -1:
    """The real part of a number for comparisons with a HessianDual."""
    if type(o) is HessianDual:
        out[0] = (<HessianDual>o).re
        return 1
    return _grad_real(o, out)


cdef inline HessianDual _hessian_seed(double re, Py_ssize_t i, long tag):
    cdef HessianDual h = _hconst(re)
    h.gi[0] = <int>i
    h.gv[0] = 1.0
    h.n = 1
    h.tag = tag
    return h
