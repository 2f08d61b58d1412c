# The functions of numbers: the unary dispatch to the rule table, the binary
# functions, the implementations of the spec's functions with parameters, the
# sequences.  Included by _core.pyx.

# ---------------------------------------------------------------------------
# Unary functions, through the rule table
# ---------------------------------------------------------------------------

cdef double _float_unary(double a, int rid) except? -1.0:
    cdef double f[3]
    cdef const dd_rule_entry *e = &dd_rules[rid]
    e.fn(a, f, 0)
    cdef int st = dd_value_status(a, f[0], e.flags)
    if st != DD_OK:
        _raise_math(st, rid, a)
    return f[0]


cdef Dual _dual_unary(Dual x, int rid):
    cdef double f[3]
    cdef const dd_rule_entry *e = &dd_rules[rid]
    e.fn(x.v.re, f, 1)
    cdef int st = dd_value_status(x.v.re, f[0], e.flags)
    if st != DD_OK:
        _raise_math(st, rid, x.v.re)
    return _dual(dd_dual_chain(x.v, f), x.tag)


cdef HyperDual _hyper_unary(HyperDual x, int rid):
    cdef double f[3]
    cdef const dd_rule_entry *e = &dd_rules[rid]
    e.fn(x.v.re, f, 2)
    cdef int st = dd_value_status(x.v.re, f[0], e.flags)
    if st != DD_OK:
        _raise_math(st, rid, x.v.re)
    return _hyper(dd_hyper_chain(x.v, f), x.tag)


cdef inline object _unary(object x, int rid, str name):
    # The fast paths stay small enough to be inlined into each function.
    if type(x) is Dual:
        return _dual_unary(<Dual>x, rid)
    if type(x) is HyperDual:
        return _hyper_unary(<HyperDual>x, rid)
    if type(x) is float:
        return _float_unary(PyFloat_AS_DOUBLE(x), rid)
    return _unary_other(x, rid, name)


cdef object _unary_other(object x, int rid, str name):
    if type(x) is GradientDual:
        return _grad_unary(<GradientDual>x, rid)
    if type(x) is HessianDual:
        return _hess_unary(<HessianDual>x, rid)
    if type(x) is _DirectionalDual:
        return _dunary(<_DirectionalDual>x, rid)
    if PyFloat_Check(x) or PyLong_Check(x):
        return _float_unary(float(x), rid)
    if name in _VALUE_FNS:   # a C loop over a float array, not a call per element
        values = _float_array_values(x, name, 0.0)
        if values is not None:
            return values
    return _common.apply_other(x, name, FUNCTIONS[name])


cdef object _leaky(object x, double alpha):
    cdef double f[3]
    if type(x) is Dual:
        dd_leaky_relu_rule((<Dual>x).v.re, alpha, f, 1)
        return _dual(dd_dual_chain((<Dual>x).v, f), (<Dual>x).tag)
    if type(x) is HyperDual:
        dd_leaky_relu_rule((<HyperDual>x).v.re, alpha, f, 2)
        return _hyper(dd_hyper_chain((<HyperDual>x).v, f), (<HyperDual>x).tag)
    if type(x) is GradientDual:
        dd_leaky_relu_rule((<GradientDual>x).re, alpha, f, 1)
        return _gscale(f[0], f[1], <GradientDual>x)
    if type(x) is HessianDual:
        dd_leaky_relu_rule((<HessianDual>x).re, alpha, f, 2)
        return _hchain(<HessianDual>x, f[0], f[1], f[2])
    if type(x) is _DirectionalDual:
        return _dleaky(<_DirectionalDual>x, alpha)
    if PyFloat_Check(x) or PyLong_Check(x):
        dd_leaky_relu_rule(float(x), alpha, f, 0)
        return f[0]
    values = _float_array_values(x, "leaky_relu", alpha)
    if values is not None:
        return values
    return _common.apply_other(x, "leaky_relu", leaky_relu, (alpha,))

# ---------------------------------------------------------------------------
# Binary functions: x ** p, arctan2, hypot
# ---------------------------------------------------------------------------

cdef enum:
    _POW = 0
    _ATAN2 = 1
    _HYPOT = 2

cdef tuple _BINARY_NAMES = ("power", "arctan2", "hypot")


cdef Dual _dual_pow(dd_dual x, double p, long tag):
    cdef dd_dual r = dd_dual_pow(x, p)
    _check_pow(x.re, p, r.re)
    return _dual(r, tag)


cdef HyperDual _hyper_pow(dd_hyper x, double p, long tag):
    cdef dd_hyper r = dd_hyper_pow(x, p)
    _check_pow(x.re, p, r.re)
    return _hyper(r, tag)


cdef Dual _dual_binary(dd_dual x, dd_dual y, int op, long tag):
    if op == _POW:
        if y.du == 0.0:   # constant exponent: the fast path, and negative bases work
            return _dual_pow(x, y.re, tag)
        _check_pow(x.re, y.re, c_pow(x.re, y.re))
        return _dual(dd_dual_pow2(x, y), tag)
    if op == _ATAN2:
        return _dual(dd_dual_atan2(x, y), tag)
    return _dual(dd_dual_hypot(x, y), tag)


cdef HyperDual _hyper_binary(dd_hyper x, dd_hyper y, int op, long tag):
    if op == _POW:
        if y.e1 == 0.0 and y.e2 == 0.0 and y.e12 == 0.0:
            return _hyper_pow(x, y.re, tag)
        _check_pow(x.re, y.re, c_pow(x.re, y.re))
        return _hyper(dd_hyper_pow2(x, y), tag)
    if op == _ATAN2:
        return _hyper(dd_hyper_atan2(x, y), tag)
    return _hyper(dd_hyper_hypot(x, y), tag)


cdef object _mixed_tags(str op, object x, object y):
    """x op y for Duals of two nested derivative calls (out of the hot path)."""
    return _nested.arithmetic(op, x, y)


cdef inline bint _tags_differ(object x, object y):
    """Two Duals of different derivative calls: a nested perturbation."""
    return type(x) is Dual and type(y) is Dual and (<Dual>x).tag != (<Dual>y).tag


cdef dd_dual _as_dual(object o, int op) except *:
    if type(o) is Dual:
        return (<Dual>o).v
    return dd_dual_make(_arg(o, _BINARY_NAMES[op], "a real number or a Dual"), 0.0)


cdef dd_hyper _as_hyper(object o, int op) except *:
    if type(o) is HyperDual:
        return (<HyperDual>o).v
    return dd_hyper_make(_arg(o, _BINARY_NAMES[op], "a real number or a HyperDual"), 0.0, 0.0, 0.0)


cdef object _binary(object x, object y, int op):
    cdef double a, b, v
    if isinstance(x, _ArrayBase) or isinstance(y, _ArrayBase):
        return _common.UFUNCS[_BINARY_NAMES[op]](x, y)   # the arrays' own __array_ufunc__
    if type(x) is NestedDual or type(y) is NestedDual or _tags_differ(x, y):
        return _nested.binary(_BINARY_NAMES[op], x, y)
    if isinstance(x, Dual) or isinstance(y, Dual):
        return _dual_binary(_as_dual(x, op), _as_dual(y, op), op,
                            (<Dual>x).tag if type(x) is Dual else (<Dual>y).tag)
    if isinstance(x, HyperDual) or isinstance(y, HyperDual):
        return _hyper_binary(_as_hyper(x, op), _as_hyper(y, op), op, _hyper_tag(x, y))
    if isinstance(x, GradientDual) or isinstance(y, GradientDual):
        return _grad_binary(_as_grad(x, op), _as_grad(y, op), op)
    if isinstance(x, HessianDual) or isinstance(y, HessianDual):
        return _hess_binary(_as_hess(x, op), _as_hess(y, op), op)
    if isinstance(x, _DirectionalDual) or isinstance(y, _DirectionalDual):
        return _dir_binary(_as_dir(x, op), _as_dir(y, op), op)
    if _common.is_array(x) or _common.is_array(y):
        return _common.apply_binary_arrays(_BINARY_NAMES[op], x, y)
    a = _arg(x, _BINARY_NAMES[op], "a real number, an ndarray or a dualdiff number")
    b = _arg(y, _BINARY_NAMES[op], "a real number, an ndarray or a dualdiff number")
    if op == _POW:
        v = c_pow(a, b)
        _check_pow(a, b, v)
        return v
    if op == _ATAN2:
        return c_atan2(a, b)
    return c_hypot(a, b)


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------

cdef object _log(object x, object base):
    if base is None:
        return _unary(x, DD_RULE_log, "log")
    return _log_base(x, base)


cdef object _log_base(object x, object base):
    """log(x, base): the log-base rule, log(base) its parameter (as leaky_relu's
    alpha), for a number x and a real-number base, with math.log's errors;
    ndarrays follow NumPy (np.log(x) / np.log(base), nan or inf with its
    warning, never an error); a perturbed base divides by its own log."""
    cdef double f[3]
    cdef double b, a, lnb
    cdef int order
    if isinstance(x, _ArrayBase):
        return x.log(base)
    if type(x) is Dual or type(x) is HyperDual or type(x) is GradientDual \
            or type(x) is HessianDual:
        if _to_double(base, &b):
            if type(x) is Dual:
                a, order = (<Dual>x).v.re, 1
            elif type(x) is HyperDual:
                a, order = (<HyperDual>x).v.re, 2
            elif type(x) is GradientDual:
                a, order = (<GradientDual>x).re, 1
            else:
                a, order = (<HessianDual>x).re, 2
            _float_unary(a, DD_RULE_log)            # math.log's errors, x first
            lnb = _float_unary(b, DD_RULE_log)
            if lnb == 0.0:
                raise _common.zero_division()       # math.log(2, 1)
            dd_log_base_rule(a, lnb, f, order)
            if type(x) is Dual:
                return _dual(dd_dual_chain((<Dual>x).v, f), (<Dual>x).tag)
            if type(x) is HyperDual:
                return _hyper(dd_hyper_chain((<HyperDual>x).v, f), (<HyperDual>x).tag)
            if type(x) is GradientDual:
                return _gscale(f[0], f[1], <GradientDual>x)
            return _hchain(<HessianDual>x, f[0], f[1], f[2])
    elif isinstance(base, _common.np.ndarray) or (
            isinstance(x, _common.np.ndarray) and _to_double(base, &b)):
        if not (isinstance(x, _common.np.ndarray) and x.dtype == _object_dtype
                and not isinstance(base, _common.np.ndarray)):
            return _common.np.log(x) / _common.np.log(base)   # NumPy's semantics
        if b > 0.0 and b != 1.0:   # an object array of numbers: each by the rule
            return _common.np.frompyfunc(lambda e: log(e, base), 1, 1)(x)
    return _unary(x, DD_RULE_log, "log") / _unary(base, DD_RULE_log, "log")

cdef object _leaky_relu(object x, object alpha):
    return _leaky(x, _arg(alpha, "leaky_relu", "a real number"))

cdef object _gelu(object x, object approximate):
    cdef bint tanh = approximate is True or (approximate is not False
                                             and _common.gelu_form(approximate))
    if (type(x) is Dual or type(x) is HyperDual or type(x) is GradientDual
            or type(x) is HessianDual or type(x) is _DirectionalDual
            or PyFloat_Check(x) or PyLong_Check(x)):
        return _unary(x, DD_RULE_gelu_tanh if tanh else DD_RULE_gelu, "gelu")
    values = _float_array_values(x, "gelu_tanh" if tanh else "gelu", 0.0)
    if values is not None:
        return values
    return _common.apply_other(x, "gelu", gelu, (tanh,))

cdef object _power(object x, object p):
    return _binary(x, p, _POW)

cdef object _arctan2(object y, object x):
    return _binary(y, x, _ATAN2)

cdef object _hypot(object x, object y):
    return _binary(x, y, _HYPOT)

# ---------------------------------------------------------------------------
# Sequences
# ---------------------------------------------------------------------------

cdef object _float_sequence(list items, double **buf):
    """Copy items into a malloc'ed double buffer if they are all real numbers."""
    cdef Py_ssize_t i, n = len(items)
    cdef double *b = <double *>malloc((n if n > 0 else 1) * sizeof(double))
    if b == NULL:
        raise MemoryError()
    for i in range(n):
        if isinstance(items[i], (Dual, HyperDual)) or not _to_double(items[i], &b[i]):
            free(b)
            return False
    buf[0] = b
    return True


def _logsumexp_floats(list items):
    """logsumexp of real numbers by the C loop; None if an item is not one."""
    cdef double *buf
    cdef double r
    if not _float_sequence(items, &buf):
        return None
    r = dd_logsumexp(buf, len(items))
    free(buf)
    return r


def _softmax_floats(list items):
    """softmax of real numbers by the C loop, as a list; None if an item is not one."""
    cdef double *buf
    cdef Py_ssize_t i, n = len(items)
    if not _float_sequence(items, &buf):
        return None
    dd_softmax(buf, n, buf)
    out = [buf[i] for i in range(n)]
    free(buf)
    return out


cdef tuple _SEQUENCE_ITEMS = (Dual, HyperDual, GradientDual, HessianDual, _DirectionalDual)


cdef object _logsumexp(object xs, object axis):
    return _common.reduce_items("logsumexp", xs, axis, _logsumexp_floats, _SEQUENCE_ITEMS,
                                lambda items: _common.compose_logsumexp(items, exp, log))


cdef object _softmax(object xs, object axis):
    return _common.reduce_items("softmax", xs, axis, _softmax_floats, _SEQUENCE_ITEMS,
                                lambda items: _common.compose_softmax(items, exp))
