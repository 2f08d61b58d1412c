# The compiled kernels of DualArray and HyperDualArray (src_c/dd_array.h),
# included by _core.pyx.  The array types themselves are shared by both
# backends (dualdiff/_array.py); these functions are the compiled backend's
# half of their kernel interface (the pure backend's is _pure/_arrays.py).

from cpython.pyport cimport PY_SSIZE_T_MAX

cdef extern from "dd_array.h" nogil:
    enum:
        DD_ARRAY_POW_INDEX
        DD_ARRAY_LEAKY_INDEX
        DD_ARRAY_LOG_BASE_INDEX
        DD_PARTIALS_POW
        DD_PARTIALS_ATAN2
        DD_PARTIALS_HYPOT
        DD_BINARY_MUL
        DD_BINARY_DIV
        DD_AUX_SIGMOID
        DD_AUX_SOFTPLUS
        DD_AUX_TANH
        DD_AUX_GELU
        DD_VALUES_SIGMOID
        DD_VALUES_SOFTPLUS
        DD_VALUES_GELU
        DD_VALUES_GELU_TANH
        DD_VALUES_ERF
        DD_VALUES_ERFC
        DD_VALUES_RELU
        DD_VALUES_LEAKY
    size_t dd_array_dual(int index, double param, size_t n, size_t k, const double *a,
                         const double *vin, const double *t, size_t trs, size_t tps,
                         double *v, double *d)
    size_t dd_array_hyper(int index, double param, size_t n, const double *a,
                          const double *vin, const double *t, size_t trs, size_t tps,
                          double *v, double *d)
    void dd_array_aux_arg(int which, size_t n, const double *a, double *d)
    void dd_array_dual_aux(int which, size_t n, size_t k, const double *a,
                           const double *t, size_t trs, size_t tps, double *v, double *d)
    void dd_array_values(int which, double param, size_t n, const double *a, double *v)
    void dd_array_partials(int op, int order, size_t n, const double *x, const double *y,
                           const double *v, double *g0, double *g1,
                           double *h0, double *h1, double *h2)
    void dd_array_binary(int op, int order, size_t n, size_t k,
                         const double *x, size_t sx, const double *tx,
                         const double *y, size_t sy, const double *ty,
                         const double *v, double *d)

_np_asarray = _common.np.asarray
_float64 = _common.np.dtype(_common.np.float64)
_RULE_IDS = {name: i for i, name in enumerate(RULE_NAMES)}
_AUX_RULES = {"sigmoid": DD_AUX_SIGMOID, "softplus": DD_AUX_SOFTPLUS, "tanh": DD_AUX_TANH,
              "gelu": DD_AUX_GELU}
_VALUE_FNS = {"sigmoid": DD_VALUES_SIGMOID, "softplus": DD_VALUES_SOFTPLUS,
              "gelu": DD_VALUES_GELU, "gelu_tanh": DD_VALUES_GELU_TANH, "erf": DD_VALUES_ERF,
              "erfc": DD_VALUES_ERFC, "relu": DD_VALUES_RELU, "leaky_relu": DD_VALUES_LEAKY}
_np_exp = _common.np.exp
_np_log1p = _common.np.log1p
_np_errstate = _common.np.errstate
_np_ndarray = _common.np.ndarray
_np_generic = _common.np.generic
_BINARY_OPS = {"mul": DD_BINARY_MUL, "div": DD_BINARY_DIV}
_PARTIAL_OPS = {"power": DD_PARTIALS_POW, "arctan2": DD_PARTIALS_ATAN2, "hypot": DD_PARTIALS_HYPOT}


cdef class _Buffers:
    """Read/write views of float64 ndarrays for the kernels (at most 8).

    The kernels trust nothing but these views: each is checked to be
    C-contiguous float64 of at least the count of doubles the kernel will
    touch, so that no argument from Python reads or writes past a buffer."""
    cdef Py_buffer b[8]
    cdef int count

    cdef double *get(self, object arr, bint writable, size_t needed) except NULL:
        cdef int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (PyBUF_WRITABLE if writable else 0)
        cdef Py_buffer *view
        if self.count == 8:
            raise RuntimeError("too many buffers")
        view = &self.b[self.count]
        # NumPy refuses a non-contiguous or read-only array here (ValueError)
        PyObject_GetBuffer(arr, view, flags)
        self.count += 1
        if view.itemsize != sizeof(double) or view.format == NULL \
                or not (view.format[0] == b'd' and view.format[1] == 0):
            raise TypeError(f"a kernel takes float64 ndarrays, not {getattr(arr, 'dtype', type(arr).__name__)}")
        if <size_t>view.len / sizeof(double) < needed:
            raise ValueError("an array is too small for the points")
        return <double *>view.buf

    def __dealloc__(self):
        cdef int i
        for i in range(self.count):
            PyBuffer_Release(&self.b[i])


cdef int _check_order(int order) except -1:
    if order != 1 and order != 2:
        raise ValueError(f"order must be 1 or 2, not {order}")
    return 0


cdef int _code(dict table, str name, str what) except -1:
    """The kernel code of `name` in `table`: ValueError for an unknown name."""
    code = table.get(name)
    if code is None:
        raise ValueError(f"no {what} named {name!r}")
    return code


cdef inline size_t _size(object count) except? 0:
    """A count of doubles, computed with Python ints (no C product that
    wraps around), as a size_t: MemoryError where no buffer could hold it."""
    cdef Py_ssize_t c
    try:
        c = count
    except OverflowError:
        raise MemoryError() from None
    if c < 0:
        raise ValueError("a negative size")
    if c > PY_SSIZE_T_MAX // <Py_ssize_t>sizeof(double):
        raise MemoryError()
    return <size_t>c


def _array_partials(str op, x, y, v, int order):
    """_array_partials(op, x, y, v, order) -> (g0, g1) or (g0, g1, h0, h1, h2)

    The first (and second) partials of power(x, y), arctan2(x, y) or
    hypot(x, y) at same-shaped float64 arrays, v being the values.
    """
    cdef int code = _code(_PARTIAL_OPS, op, "two-argument function")
    cdef size_t n
    cdef double *ph[3]
    _check_order(order)
    x = _np_asarray(x, dtype=_float64, order="C")
    y = _np_asarray(y, dtype=_float64, order="C")
    v = _np_asarray(v, dtype=_float64, order="C")
    n = _size(x.size)
    if y.size != n or v.size != n:
        raise ValueError("the arguments must have one shape")
    outs = [_np_empty(x.shape) for _ in range(5 if order == 2 else 2)]
    buffers = _Buffers()
    cdef const double *px = buffers.get(x, False, n)
    cdef const double *py = buffers.get(y, False, n)
    cdef const double *pv = buffers.get(v, False, n)
    cdef double *g0 = buffers.get(outs[0], True, n)
    cdef double *g1 = buffers.get(outs[1], True, n)
    ph[0] = ph[1] = ph[2] = NULL
    if order == 2:
        ph[0] = buffers.get(outs[2], True, n)
        ph[1] = buffers.get(outs[3], True, n)
        ph[2] = buffers.get(outs[4], True, n)
    with nogil:
        dd_array_partials(code, order, n, px, py, pv, g0, g1, ph[0], ph[1], ph[2])
    return tuple(outs)


cdef object _rows(object t):
    """Tangent rows t as an ndarray of shape (k,) + points, k >= 1."""
    if type(t) is not _np_ndarray:
        t = _np_asarray(t)
    if t.ndim < 1 or t.shape[0] < 1:
        raise ValueError("tangent rows must be an array of at least one row")
    return t


cdef tuple _tangent_layout(object t, size_t n):
    """(rows, row stride, point stride) of tangent rows t (from _rows) of
    shape (k,) + shape: C-contiguous rows (n, 1), or one constant per row
    broadcast to every point (1, 0), as a derivative's seed is, without
    making it n long."""
    cdef size_t k = t.shape[0]
    if t.size != <object>n * k:
        raise ValueError("tangent rows do not match the points")
    if n > 1 and t.ndim > 1 and all(s == 0 for s in t.strides[1:]):
        rows = _np_asarray(t.reshape(k, -1)[:, 0], dtype=_float64, order="C")
        return rows, 1, 0
    t = _np_asarray(t, dtype=_float64, order="C")
    return t, n, 1


def _array_chain_into(str name, a, t, int order, double param, bint have_value, out):
    """_array_chain_into(name, a, t, order, param, have_value, out)

    The chain rule of rule `name` ("pow" takes the exponent as param,
    "leaky_relu" alpha, "log_base" the logarithm of the base) at the points a (float64 ndarray) for the tangent
    rows t, of shape (k,) + a.shape: the k directions of a DualArray
    (order 1) or the rows e1, e2, e12 of a HyperDualArray (order 2).
    Results go into one fresh C-contiguous block `out` of shape
    (k + 1,) + a.shape: out[0] is the value (already there, from NumPy,
    when have_value; else the rule's own is written), out[1:] the tangent
    rows.  One allocation per result: see ArrayBase._block.  Returns the
    number of points outside the domain where the kernel wrote the values
    (not have_value), else 0.
    """
    cdef int index
    cdef size_t n, k
    cdef double *pv = NULL
    cdef const double *pvin = NULL
    if name == "pow":
        index = DD_ARRAY_POW_INDEX
    elif name == "leaky_relu":
        index = DD_ARRAY_LEAKY_INDEX
    elif name == "log_base":
        index = DD_ARRAY_LOG_BASE_INDEX
    else:
        index = _code(_RULE_IDS, name, "rule")
    _check_order(order)
    cdef size_t trs, tps
    a = _np_asarray(a, dtype=_float64, order="C")
    n = _size(a.size)
    t = _rows(t)
    k = t.shape[0]
    t, trs, tps = _tangent_layout(t, n)
    cdef size_t total = _size(<object>n * (k + 1))
    if out.size != total or (order == 2 and k != 3):
        raise ValueError("tangent rows do not match the points")
    buffers = _Buffers()
    cdef const double *pa = buffers.get(a, False, n)
    cdef const double *pt = buffers.get(t, False, k if tps == 0 else n * k)
    cdef double *po = buffers.get(out, True, total)
    if have_value:
        pvin = po
    else:
        pv = po
    cdef size_t outside
    with nogil:
        if order == 2:
            outside = dd_array_hyper(index, param, n, pa, pvin, pt, trs, tps, pv, po + n)
        else:
            outside = dd_array_dual(index, param, n, k, pa, pvin, pt, trs, tps, pv, po + n)
    return outside


def _array_binary(str op, int order, x, tx, y, ty, out):
    """_array_binary(op, order, x, tx, y, ty, out)

    The tangent rows of x * y (op "mul") or x / y ("div") into out[1:], the
    values being out[0] already.  x and y are C-contiguous float64 arrays of
    out[0]'s shape, or floats (constants); tx and ty their C-contiguous
    tangent rows, or None for a constant.
    """
    cdef int code = _code(_BINARY_OPS, op, "binary operation")
    _check_order(order)
    if getattr(out, "ndim", 0) < 1 or out.shape[0] < 2:
        raise ValueError("the result block has no tangent rows")
    cdef size_t n = _size(out[0].size), k = out.shape[0] - 1, sx = 1, sy = 1
    cdef size_t rows = _size(<object>n * k)
    cdef double cx, cy
    cdef const double *px = &cx
    cdef const double *py = &cy
    cdef const double *ptx = NULL
    cdef const double *pty = NULL
    if (tx is None and ty is None) or (order == 2 and k != 3):
        raise ValueError("no tangent rows")
    for part, size in ((x, n), (y, n), (tx, rows), (ty, rows)):
        if part is not None and not isinstance(part, float) and getattr(part, "size", -1) != size:
            raise ValueError("the operands do not match the result")
    buffers = _Buffers()
    if isinstance(x, float):
        cx, sx = x, 0
    else:
        px = buffers.get(x, False, n)
    if isinstance(y, float):
        cy, sy = y, 0
    else:
        py = buffers.get(y, False, n)
    if tx is not None:
        ptx = buffers.get(tx, False, rows)
    if ty is not None:
        pty = buffers.get(ty, False, rows)
    cdef double *po = buffers.get(out, True, rows + n)
    with nogil:
        dd_array_binary(code, order, n, k, px, sx, ptx, py, sy, pty, po, po + n)


def _array_aux_arg(str name, a, out):
    """_array_aux_arg(name, a, out)

    The exponent whose exp _array_aux needs, into out[1]: -|a| for sigmoid
    and softplus, -2|a| for tanh, -a*a/2 for gelu.
    """
    cdef int which = _code(_AUX_RULES, name, "activation kernel")
    a = _np_asarray(a, dtype=_float64, order="C")
    cdef size_t n = _size(a.size)
    cdef size_t total = _size(<object>n * 2)
    if out.size < total:
        raise ValueError("the block does not match the points")
    buffers = _Buffers()
    cdef const double *pa = buffers.get(a, False, n)
    cdef double *po = buffers.get(out, True, total)
    with nogil:
        dd_array_aux_arg(which, n, pa, po + n)


def _array_aux(str name, a, t, out):
    """_array_aux(name, a, t, out)

    sigmoid, softplus, tanh or gelu of a DualArray (order 1) into the block
    out, as _array_chain_into does, from what the caller computed with
    NumPy: out[1] holds exp of _array_aux_arg's exponent; out[0] holds
    tanh's values, or softplus's log1p(e).
    """
    cdef int which = _code(_AUX_RULES, name, "activation kernel")
    cdef size_t n, k, trs, tps
    a = _np_asarray(a, dtype=_float64, order="C")
    n = _size(a.size)
    t = _rows(t)
    k = t.shape[0]
    t, trs, tps = _tangent_layout(t, n)
    cdef size_t total = _size(<object>n * (k + 1))
    if out.size != total:
        raise ValueError("the parts do not match the points")
    buffers = _Buffers()
    cdef const double *pa = buffers.get(a, False, n)
    cdef const double *pt = buffers.get(t, False, k if tps == 0 else n * k)
    cdef double *po = buffers.get(out, True, total)
    with nogil:
        dd_array_dual_aux(which, n, k, pa, pt, trs, tps, po, po + n)


def _array_values(str name, x, double param):
    """_array_values(name, x, param) -> a new float64 ndarray of x's shape

    The values of sigmoid, softplus, gelu, gelu_tanh, erf, erfc, relu or
    leaky_relu (alpha = param) at the points x (converted to float64), by a
    C loop: dd_array_values.
    """
    cdef int which = _code(_VALUE_FNS, name, "function")
    a = _np_asarray(x, dtype=_float64, order="C")
    out = _np_empty(a.shape)
    cdef size_t n = _size(a.size)
    buffers = _Buffers()
    cdef const double *pa = buffers.get(a, False, n)
    cdef double *po = buffers.get(out, True, n)
    if which == DD_VALUES_SIGMOID or which == DD_VALUES_SOFTPLUS or which == DD_VALUES_GELU:
        # exp (and log1p) by NumPy's vectorised loops, as the DualArray kernels
        with nogil:
            dd_array_aux_arg(DD_AUX_GELU if which == DD_VALUES_GELU else DD_AUX_SIGMOID,
                             n, pa, po)
        with _np_errstate(all="ignore"):
            _np_exp(out, out=out)
            if which == DD_VALUES_SOFTPLUS:
                _np_log1p(out, out=out)
    with nogil:
        dd_array_values(which, param, n, pa, po)
    return out


cdef object _float_array_values(object x, str name, double param):
    """name(x) for an ndarray (or NumPy scalar) x of real numbers, by
    _array_values (a 0-d result as a NumPy scalar, as NumPy's ufuncs give);
    None for anything else, object arrays included (their elements may be
    dualdiff numbers)."""
    if not isinstance(x, (_np_ndarray, _np_generic)) or x.dtype.kind not in "biuf":
        return None
    out = _array_values(name, x, param)
    return (out[()] if out.ndim == 0 else out if type(x) is _np_ndarray
            else _common.keep_mask(x, out))   # a masked array's mask is kept


def _libm_values():
    """The rules among sin and cos whose kernel computes NumPy's values to the
    bit, so that one sincos per point gives value and derivative (NumPy's
    float64 sin and cos call the C library's on common platforms; where they
    do not, NumPy's vectorised loop gives the value and the kernel the
    derivative).  Checked once, at import, over 3,000 points from 1e-300 to
    1e300 of both signs, the zeros and the multiples of pi/4 to 1e4 among
    them."""
    np = _common.np
    probe = np.concatenate([
        np.linspace(-10.0, 10.0, 1001), np.arange(-12732, 12733, 25) * (np.pi / 4),
        np.logspace(-300, 300, 501), -np.logspace(-300, 300, 501),
        np.array([0.0, -0.0, 1e-8, 0.5, 0.785, 1.5707963267948966, 3.141592653589793]),
    ])
    seed = np.broadcast_to(1.0, (1,) + probe.shape)
    found = []
    for name, ufunc in (("sin", np.sin), ("cos", np.cos)):
        out = _np_empty((2,) + probe.shape)
        _array_chain_into(name, probe, seed, 1, 0.0, False, out)
        expected = ufunc(probe)
        if np.array_equal(out[0].view(np.int64), expected.view(np.int64)):
            found.append(name)
    return frozenset(found)
