# The derivative calls at a point, the tags of calls, the seeds and fast paths
# of the functions of several variables.  Included by _core.pyx.

# ---------------------------------------------------------------------------
# Derivatives at a point
# ---------------------------------------------------------------------------

cdef int _point(object x, double *a, str op) except -1:
    """1 and a = x for a real number; 0 for an ndarray; TypeError otherwise."""
    if isinstance(x, (Dual, HyperDual)) or isinstance(x, (str, bytes)):
        raise _common.point_error(op, x)
    if _to_double(x, a):
        return 1
    if isinstance(x, _common.np.ndarray):
        return 0
    raise _common.point_error(op, x)


cdef int _real_result(object y, str op) except -1:
    """Check that a function result without a perturbation is a plain number."""
    cdef double c
    if isinstance(y, (Dual, HyperDual)) or not _to_double(y, &c):
        raise _common.result_error(op, y)
    return 0


cdef long _last_tag = 0


cdef inline long _new_tag():
    """A tag for the perturbation of one derivative call (the GIL orders them)."""
    global _last_tag
    _last_tag += 1
    return _last_tag


def derivative(f, x=..., *, args=()):
    """derivative(f, x, *, args=()) -> f'(x), exactly, by one evaluation of f at a Dual.

    Without x, returns the function x -> f'(x).  An ndarray x is taken
    elementwise (f must then act elementwise: a ValueError says which
    operation of f mixed the elements).  ``args`` are passed on to f, as
    f(x, *args), as scipy does.

    >>> import dualdiff as dd
    >>> dd.derivative(lambda x: x**3 + 2*x**2 - x + 1, 2.0)
    19.0
    >>> fprime = dd.derivative(dd.sin)
    >>> fprime(0.0)
    1.0
    """
    cdef double a
    cdef long tag
    if x is ...:   # no point: return the derivative function
        return _common.bind(derivative, f, **({"args": args} if args != () else {}))
    if args is not ():   # the empty tuple is a singleton: a pointer test on the hot path
        f = _common.with_args(f, args, "derivative")
    if type(x) is float:
        a = PyFloat_AS_DOUBLE(x)
    elif type(x) is Dual or type(x) is NestedDual:   # inside another derivative call
        return _nested.derivative(f, x, _new_tag())
    elif not _point(x, &a, "derivative"):
        return _array_module.elementwise_derivative(derivative, _ARRAY_TYPES, f, x)
    tag = _new_tag()
    y = f(_dual(dd_dual_make(a, 1.0), tag))
    if type(y) is Dual:   # of another tag: y does not depend on this call's variable
        return (<Dual>y).v.du if (<Dual>y).tag == tag else 0.0
    if type(y) is NestedDual:
        return _nested.tangent(y, tag, "derivative")
    _real_result(y, "derivative")
    return 0.0


def second_derivative(f, x=..., *, args=()):
    """second_derivative(f, x, *, args=()) -> f''(x), exactly, by one evaluation of f at a HyperDual.

    Without x, returns the function x -> f''(x).  An ndarray x is taken
    elementwise.  ``args`` are passed on to f, as f(x, *args).

    >>> import dualdiff as dd
    >>> dd.second_derivative(lambda x: x**4, 2.0)
    48.0
    """
    cdef double a
    cdef long tag
    if x is ...:   # no point: return the derivative function
        return _common.bind(second_derivative, f, **({"args": args} if args != () else {}))
    if args is not ():   # the empty tuple is a singleton: a pointer test on the hot path
        f = _common.with_args(f, args, "second_derivative")
    if type(x) is float:
        a = PyFloat_AS_DOUBLE(x)
    elif type(x) is Dual or type(x) is NestedDual:   # inside a derivative call
        raise _common.order_mix_error(x, HyperDual(0.0))
    elif not _point(x, &a, "second_derivative"):
        return _array_module.elementwise_derivative(second_derivative, _ARRAY_TYPES, f, x)
    tag = _new_tag()
    y = f(_hyper(dd_hyper_make(a, 1.0, 1.0, 0.0), tag))
    if type(y) is HyperDual:   # of another call (or built by hand): a constant here
        return (<HyperDual>y).v.e12 if (<HyperDual>y).tag == tag else 0.0
    _real_result(y, "second_derivative")
    return 0.0


def value_and_derivative(f, x=..., *, args=()):
    """value_and_derivative(f, x, *, args=()) -> (f(x), f'(x)) from one evaluation of f.

    Without x, returns the function x -> (f(x), f'(x)).  An ndarray x is
    taken elementwise (two ndarrays).  ``args`` are passed on to f, as
    f(x, *args).

    >>> import dualdiff as dd
    >>> dd.value_and_derivative(lambda x: x**3 + 2*x**2 - x + 1, 2.0)
    (15.0, 19.0)
    """
    cdef double a, c
    cdef long tag
    if x is ...:   # no point: return the derivative function
        return _common.bind(value_and_derivative, f, **({"args": args} if args != () else {}))
    if args is not ():   # the empty tuple is a singleton: a pointer test on the hot path
        f = _common.with_args(f, args, "value_and_derivative")
    if type(x) is float:
        a = PyFloat_AS_DOUBLE(x)
    elif type(x) is Dual or type(x) is NestedDual:   # inside another derivative call
        return _nested.value_and_derivative(f, x, _new_tag())
    elif not _point(x, &a, "value_and_derivative"):
        return _array_module.elementwise_derivative(value_and_derivative, _ARRAY_TYPES, f, x)
    tag = _new_tag()
    y = f(_dual(dd_dual_make(a, 1.0), tag))
    if type(y) is Dual:
        if (<Dual>y).tag == tag:
            return ((<Dual>y).v.re, (<Dual>y).v.du)
        return (y, 0.0)   # depends on an outer call's variable only
    if type(y) is NestedDual:
        return (_nested.value(y, tag), _nested.tangent(y, tag, "value_and_derivative"))
    _real_result(y, "value_and_derivative")
    _to_double(y, &c)
    return (c, 0.0)


# ---------------------------------------------------------------------------
# Functions of several variables
# ---------------------------------------------------------------------------

cdef object _seed_vector(object x, long tag, bint second):
    """An object ndarray of GradientDual (HessianDual if `second`) seeds
    x[i] + 1.0 * e_i of the call `tag`, for a 1-D float64 ndarray x of any
    strides.  Raw buffers rather than typed memoryviews: at n = 10 the
    memoryview set-up cost as much as the seeds."""
    cdef Py_buffer xb
    cdef Py_buffer ob
    cdef Py_ssize_t i, n
    cdef PyObject **slot
    cdef object seed
    cdef double xi
    PyObject_GetBuffer(x, &xb, PyBUF_STRIDES | PyBUF_FORMAT)
    try:
        if xb.ndim != 1 or xb.format is NULL or xb.format[0] != b'd' or xb.format[1] != 0:
            raise TypeError("the point must be a 1-D float64 ndarray")
        n = _hcount(xb.shape[0])   # the variables' indices are C ints
        out = _np_empty(n, _object_dtype)
        PyObject_GetBuffer(out, &ob, PyBUF_WRITABLE | PyBUF_FORMAT | PyBUF_C_CONTIGUOUS)
        try:
            slot = <PyObject **>ob.buf
            for i in range(n):
                xi = (<double *>((<char *>xb.buf) + i * xb.strides[0]))[0]
                if second:
                    seed = _hessian_seed(xi, i, tag)
                else:
                    seed = _gradient_seed(xi, i, tag)
                Py_INCREF(seed)
                Py_XDECREF(slot[i])   # the None np.empty put there
                slot[i] = <PyObject *>seed
        finally:
            PyBuffer_Release(&ob)
    finally:
        PyBuffer_Release(&xb)
    return out


cdef inline GradientDual _gradient_seed(double re, Py_ssize_t i, long tag):
    cdef GradientDual g = _gnew(re, 1)
    g.idx[0] = <int>i
    g.val[0] = 1.0
    g.n = 1
    g.tag = tag
    return g


def _gradient_seeds(x, long tag):
    """_gradient_seeds(x, tag) -> object ndarray of GradientDual(x[i], {i: 1.0}) of the call `tag`."""
    return _seed_vector(x, tag, False)


def _hessian_seeds(x, long tag):
    """_hessian_seeds(x, tag) -> object ndarray of HessianDual(x[i], {i: 1.0}) of the call `tag`."""
    return _seed_vector(x, tag, True)
