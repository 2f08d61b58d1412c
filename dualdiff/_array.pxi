# The compiled kernels of DualArray and HyperDualArray (src_c/dd_array.h),
# included by _core.pyx.  The array types themselves are shared by both
# backends (dualdiff/_array.py); these functions are the compiled backend's
# half of their kernel interface (the pure backend's is _pure/_arrays.py).

cdef extern from "dd_array.h" nogil:
    enum:
        DD_ARRAY_POW_INDEX
        DD_ARRAY_LEAKY_INDEX
        DD_PARTIALS_POW
        DD_PARTIALS_ATAN2
        DD_PARTIALS_HYPOT
    void dd_array_dual(int index, double param, size_t n, size_t k, const double *a,
                       const double *vin, const double *t, double *v, double *d)
    void dd_array_hyper(int index, double param, size_t n, const double *a,
                        const double *vin, const double *t, double *v, double *d)
    void dd_array_partials(int op, int order, size_t n, const double *x, const double *y,
                           const double *v, double *g0, double *g1,
                           double *h0, double *h1, double *h2)

_np_asarray = _common.np.asarray
_RULE_IDS = {name: i for i, name in enumerate(RULE_NAMES)}
_PARTIAL_OPS = {"power": DD_PARTIALS_POW, "arctan2": DD_PARTIALS_ATAN2, "hypot": DD_PARTIALS_HYPOT}


cdef class _Buffers:
    """Read/write views of float64 ndarrays for the kernels (at most 8)."""
    cdef Py_buffer b[8]
    cdef int count

    cdef double *get(self, object arr, bint writable) except NULL:
        cdef int flags = PyBUF_C_CONTIGUOUS | (PyBUF_WRITABLE if writable else 0)
        if self.count == 8:
            raise RuntimeError("too many buffers")
        PyObject_GetBuffer(arr, &self.b[self.count], flags)
        self.count += 1
        return <double *>self.b[self.count - 1].buf

    def __dealloc__(self):
        cdef int i
        for i in range(self.count):
            PyBuffer_Release(&self.b[i])


def _array_chain(str name, a, t, int order, value, double param=0.0):
    """_array_chain(name, a, t, order, value, param=0.0) -> (value, tangent)

    The chain rule of rule `name` ("pow" takes the exponent as param,
    "leaky_relu" alpha) at the points a (float64 ndarray) for the tangent
    rows t, of shape (k,) + a.shape: the k directions of a DualArray
    (order 1) or the rows e1, e2, e12 of a HyperDualArray (order 2).
    `value` is f(a) as the caller computed it (with NumPy), or None: then
    the rule's value is computed and returned.
    """
    cdef int index
    cdef size_t n, k
    cdef double *pv = NULL
    cdef const double *pvin = NULL
    if name == "pow":
        index = DD_ARRAY_POW_INDEX
    elif name == "leaky_relu":
        index = DD_ARRAY_LEAKY_INDEX
    else:
        index = _RULE_IDS[name]
    a = _np_asarray(a, dtype=_float64, order="C")
    t = _np_asarray(t, dtype=_float64, order="C")
    n = a.size
    k = t.shape[0]
    if t.size != n * k or (order == 2 and k != 3):
        raise ValueError("tangent rows do not match the points")
    d = _np_empty(t.shape)
    buffers = _Buffers()
    if value is None:
        value = _np_empty(a.shape)
        pv = buffers.get(value, True)
    else:
        value = _np_asarray(value, dtype=_float64, order="C")
        if value.size != n:
            raise ValueError("values do not match the points")
        pvin = buffers.get(value, False)
    cdef const double *pa = buffers.get(a, False)
    cdef const double *pt = buffers.get(t, False)
    cdef double *pd = buffers.get(d, True)
    with nogil:
        if order == 2:
            dd_array_hyper(index, param, n, pa, pvin, pt, pv, pd)
        else:
            dd_array_dual(index, param, n, k, pa, pvin, pt, pv, pd)
    return value, d


def _array_partials(str op, x, y, v, int order):
    """_array_partials(op, x, y, v, order) -> (g0, g1) or (g0, g1, h0, h1, h2)

    The first (and second) partials of power(x, y), arctan2(x, y) or
    hypot(x, y) at same-shaped float64 arrays, v being the values.
    """
    cdef int code = _PARTIAL_OPS[op]
    cdef size_t n
    cdef double *ph[3]
    x = _np_asarray(x, dtype=_float64, order="C")
    y = _np_asarray(y, dtype=_float64, order="C")
    v = _np_asarray(v, dtype=_float64, order="C")
    n = x.size
    if y.size != n or v.size != n:
        raise ValueError("the arguments must have one shape")
    outs = [_np_empty(x.shape) for _ in range(5 if order == 2 else 2)]
    buffers = _Buffers()
    cdef const double *px = buffers.get(x, False)
    cdef const double *py = buffers.get(y, False)
    cdef const double *pv = buffers.get(v, False)
    cdef double *g0 = buffers.get(outs[0], True)
    cdef double *g1 = buffers.get(outs[1], True)
    ph[0] = ph[1] = ph[2] = NULL
    if order == 2:
        ph[0] = buffers.get(outs[2], True)
        ph[1] = buffers.get(outs[3], True)
        ph[2] = buffers.get(outs[4], True)
    with nogil:
        dd_array_partials(code, order, n, px, py, pv, g0, g1, ph[0], ph[1], ph[2])
    return tuple(outs)
