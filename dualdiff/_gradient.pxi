# GradientDual: a value and its sparse gradient (src_c/dd_sparse.h), for
# gradients and Jacobians in one evaluation.  Included by _core.pyx, whose
# rule table, operand helpers and public functions it uses.

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.pyport cimport PY_SSIZE_T_MAX
from libc.string cimport memcpy


cdef extern from "dd_sparse.h" nogil:
    int dd_sp_scale(double s, const int *gi, const double *gv, int n, int *ri, double *rv)
    int dd_sp_axpby(double s, const int *gi, const double *gv, int ng,
                    double t, const int *hi, const double *hv, int nh, int *ri, double *rv)
    int dd_sp_scale_sc(dd_scaled s, const int *gi, const double *gv, int n, int *ri, double *rv)
    ctypedef struct dd_spbuf:
        size_t refs
        size_t cap
        size_t lo
        size_t hi
        double *val
        int *idx
    size_t dd_spbuf_bytes(size_t cap)
    dd_spbuf *dd_spbuf_init(void *block, size_t cap)
    size_t dd_spbuf_grown(size_t cap, size_t need)


# A GradientDual's partials are immutable once it has been handed out: only
# the code that made it with _gnew writes them (its buffer is its own until
# then).  Views of one buffer share its entries (src_c/dd_sparse.h).

cdef dd_spbuf *_bnew(Py_ssize_t cap) except NULL:
    """A buffer with room for `cap` partials, viewed by nobody yet."""
    cdef size_t nbytes = dd_spbuf_bytes(<size_t>cap) if cap >= 0 else 0
    cdef void *block
    if nbytes == 0:
        raise MemoryError(f"cannot store {cap} partial derivatives")
    block = PyMem_Malloc(nbytes)
    if block == NULL:
        raise MemoryError()
    return dd_spbuf_init(block, <size_t>cap)


cdef inline void _bview(GradientDual r, dd_spbuf *b, size_t start, size_t n) noexcept:
    """Make r view entries [start, start + n) of b (r views nothing yet)."""
    b.refs += 1
    r.buf = b
    r.idx = b.idx + start
    r.val = b.val + start
    r.n = <int>n


cdef inline void _brelease(GradientDual r) noexcept:
    """Drop r's view of its buffer (if any), freeing the buffer with its last view."""
    cdef dd_spbuf *b = <dd_spbuf *>r.buf
    r.buf = NULL
    r.idx = NULL
    r.val = NULL
    if b != NULL:
        b.refs -= 1
        if b.refs == 0:
            PyMem_Free(b)


cdef int _reserve_buffer(GradientDual r, Py_ssize_t cap) except -1:
    _bview(r, _bnew(cap), 0, 0)
    return 0


cdef inline int _reserve(GradientDual r, Py_ssize_t cap) except -1:
    """Room for `cap` partials: inside the object for up to two (most values in
    loop-written code depend on one or two variables), else a buffer of its own."""
    if cap <= 2:
        r.idx = &r.sidx[0]
        r.val = &r.sval[0]
        return 0
    return _reserve_buffer(r, cap)


cdef inline GradientDual _gnew(double re, Py_ssize_t cap):
    """A GradientDual with room for `cap` partials (count set by the caller)."""
    cdef GradientDual r = GradientDual.__new__(GradientDual)
    r.re = re
    _reserve(r, cap)
    return r


cdef inline GradientDual _gplus(double re, GradientDual x):
    """re + (partials of x), for x + c and x - c: x's buffer shared, O(1)."""
    if x.buf != NULL:
        return _gshare(re, x)
    return _gscale(re, 1.0, x)


cdef GradientDual _gshare(double re, GradientDual x):
    """re + (partials of x), sharing x's buffer: O(1)."""
    cdef dd_spbuf *b = <dd_spbuf *>x.buf
    cdef size_t xs = <size_t>(x.val - b.val)
    cdef GradientDual r = GradientDual.__new__(GradientDual)
    if b.refs == 1:   # x alone views the buffer: what it has written is x's range
        b.lo = xs
        b.hi = xs + <size_t>x.n
    r.re = re
    r.tag = x.tag
    _bview(r, b, xs, <size_t>x.n)
    return r


cdef GradientDual _gextend(double re, GradientDual x, double t, GradientDual y, long tag):
    """re + (partials of x) + t * (partials of y) when x has a buffer and y's
    indices all come after x's (or all before): y's entries are written next
    to x's in x's buffer if nobody has written there yet, else x's are copied
    into a new buffer of doubled capacity, and the result views x's entries
    with y's.  None when the indices interleave or x's neighbour place is taken."""
    cdef dd_spbuf *b = <dd_spbuf *>x.buf
    cdef dd_spbuf *nb
    cdef size_t xs, xe, ny = <size_t>y.n, cap
    cdef GradientDual r
    if b == NULL or x.n == 0:
        return None
    xs = <size_t>(x.val - b.val)
    xe = xs + <size_t>x.n
    if b.refs == 1:   # x alone views the buffer: all of it is free but x's range
        b.lo = xs
        b.hi = xe
    if ny == 0:
        r = _gshare(re, x)
        r.tag = tag
        return r
    if y.idx[0] > x.idx[x.n - 1]:     # y after x
        if xe != b.hi:
            return None
        if b.cap - xe < ny:
            cap = dd_spbuf_grown(b.cap, xe - xs + ny)
            if cap == 0:
                raise MemoryError("too many partial derivatives")
            nb = _bnew(<Py_ssize_t>cap)
            memcpy(nb.val, x.val, <size_t>x.n * sizeof(double))
            memcpy(nb.idx, x.idx, <size_t>x.n * sizeof(int))
            b, xs, xe = nb, 0, <size_t>x.n
            b.lo = 0
        dd_sp_scale(t, y.idx, y.val, y.n, b.idx + xe, b.val + xe)
        b.hi = xe + ny
        r = GradientDual.__new__(GradientDual)
        _bview(r, b, xs, xe - xs + ny)
    elif y.idx[y.n - 1] < x.idx[0]:   # y before x
        if xs != b.lo:
            return None
        if xs < ny:
            cap = dd_spbuf_grown(b.cap, xe - xs + ny)
            if cap == 0:
                raise MemoryError("too many partial derivatives")
            nb = _bnew(<Py_ssize_t>cap)
            memcpy(nb.val + cap - <size_t>x.n, x.val, <size_t>x.n * sizeof(double))
            memcpy(nb.idx + cap - <size_t>x.n, x.idx, <size_t>x.n * sizeof(int))
            b, xs, xe = nb, cap - <size_t>x.n, cap
            b.hi = cap
        dd_sp_scale(t, y.idx, y.val, y.n, b.idx + xs - ny, b.val + xs - ny)
        b.lo = xs - ny
        r = GradientDual.__new__(GradientDual)
        _bview(r, b, xs - ny, xe - xs + ny)
    else:
        return None
    r.re = re
    r.tag = tag
    return r


cdef inline bint _extendable(GradientDual x, GradientDual y) noexcept:
    """Whether x + y may extend a shared buffer: one of them has one and their
    indices do not interleave (checked before any call, for the hot path)."""
    return (x.buf != NULL or y.buf != NULL) and (
        x.n == 0 or y.n == 0 or y.idx[0] > x.idx[x.n - 1] or y.idx[y.n - 1] < x.idx[0])


cdef GradientDual _gadd(double re, GradientDual x, double t, GradientDual y):
    """re + (partials of x) + t * (partials of y), for x + y and x - y when
    _extendable(x, y): in place in a shared buffer (_gextend), the larger
    operand's entries staying where they are; else merged into a new buffer."""
    cdef long tag = _call_tag(x.tag, y.tag)
    cdef GradientDual r
    if t == 1.0 and y.n > x.n:
        r = _gextend(re, y, 1.0, x, tag)
        if r is None:
            r = _gextend(re, x, 1.0, y, tag)
    else:
        r = _gextend(re, x, t, y, tag)
        if r is None and t == 1.0:
            r = _gextend(re, y, 1.0, x, tag)
    if r is not None:
        return r
    return _gmerge(re, 1.0, x, t, y)


cdef long _call_tag(long a, long b) except? -1:
    """The call whose variables a result's partials refer to.  Partials of
    two different gradient/jacobian/hessian calls number their variables
    independently: adding them up would be silently wrong."""
    if a == b or b == 0:
        return a
    if a == 0:
        return b
    raise TypeError("numbers of two different gradient, jacobian or hessian calls meet: "
                    "nesting these calls is not supported (a derivative call inside "
                    "another derivative call is)")


cdef inline GradientDual _gscale(double re, double s, GradientDual x):
    """re + s * (partials of x): the chain rule."""
    cdef GradientDual r = _gnew(re, x.n)
    r.n = dd_sp_scale(s, x.idx, x.val, x.n, r.idx, r.val)
    r.tag = x.tag
    return r


cdef inline GradientDual _gmerge(double re, double s, GradientDual x, double t, GradientDual y):
    """re + s * (partials of x) + t * (partials of y)."""
    cdef long tag = _call_tag(x.tag, y.tag)
    cdef GradientDual r = _gnew(re, <Py_ssize_t>x.n + y.n)
    r.n = dd_sp_axpby(s, x.idx, x.val, x.n, t, y.idx, y.val, y.n, r.idx, r.val)
    r.tag = tag
    return r


cdef GradientDual _gconst(double c):
    return _gnew(c, 0)


cdef GradientDual _grad_unary(GradientDual x, int rid):
    cdef double f[3]
    cdef const dd_rule_entry *e = &dd_rules[rid]
    e.fn(x.re, f, 1)
    cdef int st = dd_value_status(x.re, f[0], e.flags)
    if st != DD_OK:
        _raise_math(st, rid, x.re)
    return _gscale(f[0], f[1], x)


cdef GradientDual _grad_div(GradientDual x, GradientDual y):
    """x / y: partials (g - v h) / y, as for Dual."""
    cdef double v
    cdef int k
    if y.re == 0.0:
        raise _common.zero_division()
    v = x.re / y.re
    cdef GradientDual r = _gmerge(v, 1.0, x, -v, y)
    for k in range(r.n):
        r.val[k] = r.val[k] / y.re
    return r


cdef GradientDual _grad_pow(GradientDual x, double p):
    cdef double f[3]
    cdef dd_scaled c[2]
    cdef GradientDual r
    dd_pow_rule(x.re, p, f, 1)
    _check_pow(x.re, p, f[0])
    if not isnormal(f[1]) and dd_pow_rescues(x.re, p, f[0]):
        # f' leaves the doubles where its products with the partials may not (dd_dual_pow_v)
        dd_pow_scaled(x.re, p, f[0], 1, c)
        r = _gnew(f[0], x.n)
        r.n = dd_sp_scale_sc(c[0], x.idx, x.val, x.n, r.idx, r.val)
        r.tag = x.tag
        return r
    return _gscale(f[0], f[1], x)


cdef GradientDual _grad_binary(GradientDual x, GradientDual y, int op):
    cdef double g[2]
    cdef double h[3]
    cdef double v
    if op == _POW:
        if y.n == 0:   # constant exponent: negative bases work
            return _grad_pow(x, y.re)
        v = c_pow(x.re, y.re)
        _check_pow(x.re, y.re, v)
        dd_pow2_partials(x.re, y.re, v, 1, g, h)
    elif op == _ATAN2:
        v = c_atan2(x.re, y.re)
        dd_atan2_partials(x.re, y.re, 1, g, h)
    else:
        v = c_hypot(x.re, y.re)
        dd_hypot_partials(x.re, y.re, v, 1, g, h)
    return _gmerge(v, g[0], x, g[1], y)


cdef object _mixed_types(object x, object y):
    """The answer of a multivariate type's operator to an operand it cannot
    take: NotImplemented, or the error that lets gradient() go nested."""
    for o in (x, y):
        if type(o) is Dual or type(o) is NestedDual:
            raise _common.nested_call_error(x, y)
    return NotImplemented


cdef GradientDual _as_grad(object o, int op):
    if type(o) is GradientDual:
        return <GradientDual>o
    return _gconst(_arg(o, _BINARY_NAMES[op], "a real number or a GradientDual"))


@cython.freelist(256)
@cython.final
cdef class GradientDual:
    """GradientDual(real, partials=None)
--

GradientDual(real, partials=None)

    A value with its gradient: ``real + sum(partials[i] * e_i)`` with
    ``e_i * e_j == 0``.  Evaluating ``f`` at ``GradientDual(x_i, {i: 1.0})``
    for each variable gives ``f(x)`` and its whole gradient in one pass.
    Only the partials a value depends on are stored, so an operation costs
    time proportional to the number of variables involved in it, not to n.
    The methods named after NumPy's ufuncs (``x.sin()``, ``x.exp()``, ...)
    are what ``np.sin(x)`` calls; they equal ``dd.sin(x)``.

    >>> import dualdiff as dd
    >>> x = dd.GradientDual(3.0, {0: 1.0})
    >>> y = dd.GradientDual(2.0, {1: 1.0})
    >>> (x * x * y).partials
    {0: 12.0, 1: 9.0}
    >>> (x * x * y).gradient(3)
    array([12.,  9.,  0.])
    """

    def __init__(self, real, partials=None):
        cdef Py_ssize_t k
        re = _arg(real, "GradientDual", "a real number")
        items = sorted(_common.checked_partials("GradientDual", partials).items())
        _brelease(self)   # __init__ called again
        _reserve(self, len(items))
        for k, (i, v) in enumerate(items):
            self.idx[k] = i
            self.val[k] = v
        self.n = len(items)
        self.re = re

    def __dealloc__(self):
        _brelease(self)

    @property
    def real(self):
        """The value part."""
        return self.re

    @property
    def partials(self):
        """The stored partial derivatives, as a dict {variable index: value}."""
        return {self.idx[k]: self.val[k] for k in range(self.n)}

    def gradient(self, n):
        """gradient(n) -> the partials as a dense float64 ndarray of length n."""
        return _dense_gradient(self.idx, self.val, self.n, n)

    # -- protocol ---------------------------------------------------------

    def __repr__(self):
        items = ", ".join(f"{self.idx[k]}: {_common.format_float(self.val[k])}"
                          for k in range(self.n))
        return f"GradientDual({_common.format_float(self.re)}, {{{items}}})"

    def __reduce__(self):
        return (GradientDual, (self.re, self.partials))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __float__(self):
        raise _common.float_error(self)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        cdef int rid = _UFUNC_RULES.get(ufunc, -1)
        if rid >= 0 and method == "__call__" and len(inputs) == 1 and not kwargs:
            return _grad_unary(self, rid)
        return _common.scalar_array_ufunc(self, ufunc, method, inputs, kwargs)

    def __hash__(self):
        raise _common.unhashable_error(self)

    def __bool__(self):
        return self.re != 0.0

    def __eq__(self, other):
        cdef double o
        return self.re == o if _grad_real(other, &o) else NotImplemented

    def __ne__(self, other):
        cdef double o
        return self.re != o if _grad_real(other, &o) else NotImplemented

    def __lt__(self, other):
        cdef double o
        return self.re < o if _grad_real(other, &o) else NotImplemented

    def __le__(self, other):
        cdef double o
        return self.re <= o if _grad_real(other, &o) else NotImplemented

    def __gt__(self, other):
        cdef double o
        return self.re > o if _grad_real(other, &o) else NotImplemented

    def __ge__(self, other):
        cdef double o
        return self.re >= o if _grad_real(other, &o) else NotImplemented

    # -- arithmetic (c_api_binop_methods: when x is not a GradientDual, y is) --

    def __add__(x, y):
        cdef double c
        if type(x) is GradientDual:
            if type(y) is GradientDual:
                if _extendable(<GradientDual>x, <GradientDual>y):
                    return _gadd((<GradientDual>x).re + (<GradientDual>y).re,
                                 <GradientDual>x, 1.0, <GradientDual>y)
                return _gmerge((<GradientDual>x).re + (<GradientDual>y).re,
                               1.0, <GradientDual>x, 1.0, <GradientDual>y)
            if _to_double(y, &c):
                return _gplus((<GradientDual>x).re + c, <GradientDual>x)
        elif _to_double(x, &c):
            return _gplus(c + (<GradientDual>y).re, <GradientDual>y)
        return _mixed_types(x, y)

    def __sub__(x, y):
        cdef double c
        if type(x) is GradientDual:
            if type(y) is GradientDual:
                if _extendable(<GradientDual>x, <GradientDual>y):
                    return _gadd((<GradientDual>x).re - (<GradientDual>y).re,
                                 <GradientDual>x, -1.0, <GradientDual>y)
                return _gmerge((<GradientDual>x).re - (<GradientDual>y).re,
                               1.0, <GradientDual>x, -1.0, <GradientDual>y)
            if _to_double(y, &c):
                return _gplus((<GradientDual>x).re - c, <GradientDual>x)
        elif _to_double(x, &c):
            return _gscale(c - (<GradientDual>y).re, -1.0, <GradientDual>y)
        return _mixed_types(x, y)

    def __mul__(x, y):
        cdef double c
        if type(x) is GradientDual:
            if type(y) is GradientDual:
                return _gmerge((<GradientDual>x).re * (<GradientDual>y).re,
                               (<GradientDual>y).re, <GradientDual>x,
                               (<GradientDual>x).re, <GradientDual>y)
            if _to_double(y, &c):
                return _gscale((<GradientDual>x).re * c, c, <GradientDual>x)
        elif _to_double(x, &c):
            return _gscale(c * (<GradientDual>y).re, c, <GradientDual>y)
        return _mixed_types(x, y)

    def __truediv__(x, y):
        cdef double c
        if type(x) is GradientDual:
            if type(y) is GradientDual:
                return _grad_div(<GradientDual>x, <GradientDual>y)
            if _to_double(y, &c):
                return _grad_div(<GradientDual>x, _gconst(c))
        elif _to_double(x, &c):
            return _grad_div(_gconst(c), <GradientDual>y)
        return _mixed_types(x, y)

    def __pow__(x, y, mod):
        cdef double c
        if mod is not None:
            raise TypeError("pow() 3rd argument not allowed for dualdiff numbers")
        if type(x) is GradientDual:
            if type(y) is GradientDual:
                return _grad_binary(<GradientDual>x, <GradientDual>y, _POW)
            if _to_double(y, &c):
                return _grad_pow(<GradientDual>x, c)
        elif _to_double(x, &c):
            return _grad_binary(_gconst(c), <GradientDual>y, _POW)
        return _mixed_types(x, y)

    def __neg__(self):
        return _gscale(-self.re, -1.0, self)

    def __pos__(self):
        return self

    def conjugate(self):
        """conjugate() -> the number itself, as float.conjugate() (np.var of an object array calls it)."""
        return self

    def __abs__(self):
        return _grad_unary(self, DD_RULE_abs)

    def __floor__(self):
        return _grad_unary(self, DD_RULE_floor)

    def __ceil__(self):
        return _grad_unary(self, DD_RULE_ceil)


cdef int _grad_real(object o, double *out) except -1:
    """The real part of a number for comparisons with a GradientDual."""
    if type(o) is GradientDual:
        out[0] = (<GradientDual>o).re
        return 1
    return _real_part(o, out)


cdef object _dense_gradient(const int *idx, const double *val, int m, Py_ssize_t n):
    """The partials (idx, val) as a dense float64 ndarray of length n."""
    cdef Py_ssize_t k
    if n > PY_SSIZE_T_MAX // <Py_ssize_t>sizeof(double):
        raise MemoryError(f"cannot allocate a gradient of length {n}")
    if m and idx[m - 1] >= n:
        raise ValueError(f"the number depends on variable {idx[m - 1]}, beyond length {n}")
    out = _np_zeros(n)
    cdef Py_buffer ob
    PyObject_GetBuffer(out, &ob, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS)
    for k in range(m):
        (<double *>ob.buf)[idx[k]] = val[k]
    PyBuffer_Release(&ob)
    return out


def _sparse_layout(GradientDual g):
    """_sparse_layout(g) -> None when g's partials are stored inline, else
    (buffer address, start, capacity, views): where g's partials live (tests)."""
    cdef dd_spbuf *b = <dd_spbuf *>g.buf
    if b == NULL:
        return None
    return (<size_t>b, <Py_ssize_t>(g.val - b.val), <Py_ssize_t>b.cap, <Py_ssize_t>b.refs)


def _sparse_reserve(Py_ssize_t cap):
    """_sparse_reserve(cap) -> a GradientDual(0.0) with room for cap partials
    (tests: MemoryError for a size that cannot be allocated)."""
    return _gnew(0.0, cap)
