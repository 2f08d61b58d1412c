# cython: language_level=3, c_api_binop_methods=True
"""The compiled backend of dualdiff: Dual and HyperDual over the C core.

Every method is a thin wrapper: the rule table (src_c/dd_rules.h) gives the
Taylor coefficients, the chain rules and binary operations
(src_c/dd_types.h) combine them with a number's parts.  Checks on the hot
path are C-level type tests; allocation goes through a freelist.
"""

cimport cython
from cpython.float cimport PyFloat_AS_DOUBLE, PyFloat_Check
from cpython.long cimport PyLong_AsDouble, PyLong_Check
from libc.math cimport atan2 as c_atan2, hypot as c_hypot, pow as c_pow
from libc.stdlib cimport free, malloc
from cpython.buffer cimport (PyBUF_C_CONTIGUOUS, PyBUF_FORMAT, PyBUF_STRIDES, PyBUF_WRITABLE,
                             PyBuffer_Release, PyObject_GetBuffer)
from cpython.ref cimport Py_INCREF, Py_XDECREF, PyObject
from cpython.object cimport PyTypeObject

cdef extern from "Python.h":
    void PyType_Modified(PyTypeObject *t)

import numbers

from dualdiff import _common, _spec

cdef object _np_empty = _common.np.empty
cdef object _np_zeros = _common.np.zeros
cdef object _object_dtype = _common.np.dtype(object)

cdef object _Real = numbers.Real
cdef object _ArrayBase = ()   # dualdiff.arrays.ArrayBase, set below once arrays is imported

#: Names of the unary rules in the C table, in table order.
RULE_NAMES = tuple(dd_rules[i].name.decode() for i in range(DD_N_RULES))
if RULE_NAMES != _spec.RULE_NAMES:   # an in-place build older than the checkout's spec
    raise ImportError("dualdiff._core was built from another dualdiff/_spec.py than the one "
                      "beside it: rebuild it (CONTRIBUTING.md, the development loop)")

# ---------------------------------------------------------------------------
# Operands
# ---------------------------------------------------------------------------

cdef int _to_double(object o, double *out) except -1:
    """1 and out = float(o) if o is a real number (not a dualdiff number), else 0."""
    # Exact types first: PyFloat_Check on an int walks the type's MRO.
    if type(o) is float:
        out[0] = PyFloat_AS_DOUBLE(o)
        return 1
    if PyLong_Check(o):
        out[0] = PyLong_AsDouble(o)   # OverflowError beyond 1e308, as float(o)
        return 1
    if PyFloat_Check(o):              # float subclasses: np.float64, ...
        out[0] = PyFloat_AS_DOUBLE(o)
        return 1
    if isinstance(o, _Real) and not isinstance(o, (Dual, HyperDual)):
        out[0] = float(o)             # other NumPy scalars, Fraction, ...
        return 1
    return 0


cdef int _real_part(object o, double *out) except -1:
    """Like _to_double, but also takes the real part of a dualdiff number."""
    if isinstance(o, Dual):
        out[0] = (<Dual>o).v.re
        return 1
    if isinstance(o, HyperDual):
        out[0] = (<HyperDual>o).v.re
        return 1
    return _to_double(o, out)


cdef double _arg(object o, str func, str accepted) except? -1.0:
    cdef double a
    if not _to_double(o, &a):
        raise _common.operand_error(func, o, accepted)
    return a


cdef inline Dual _dual(dd_dual v, long tag):
    cdef Dual r = Dual.__new__(Dual)
    r.v = v
    r.tag = tag
    return r


cdef inline HyperDual _hyper(dd_hyper v, long tag):
    cdef HyperDual r = HyperDual.__new__(HyperDual)
    r.v = v
    r.tag = tag
    return r


cdef long _hyper_tag(object x, object y) except -1:
    """The second_derivative call of x op y, one of them a HyperDual: two
    HyperDuals of different calls (or one built by hand) must not meet."""
    if type(x) is HyperDual:
        if type(y) is HyperDual and (<HyperDual>y).tag != (<HyperDual>x).tag:
            raise _common.mixed_hyper_error()
        return (<HyperDual>x).tag
    return (<HyperDual>y).tag


cdef object _hyper_other(object x, object y):
    """NotImplemented for x op y, or the reason a Dual and a HyperDual cannot meet."""
    if type(x) is Dual or type(y) is Dual or type(x) is NestedDual or type(y) is NestedDual:
        raise _common.order_mix_error(x, y)
    return NotImplemented


cdef int _raise_math(int status, int rid, double a) except -1:
    raise _common.math_error(status, RULE_NAMES[rid], a)


cdef int _check_pow(double a, double p, double v) except -1:
    cdef int st = dd_pow_status(a, p, v)
    if st != DD_OK:
        raise _common.pow_error(st, a, p)
    return 0

include "_functions.pxi"

# ---------------------------------------------------------------------------
# The functions of the spec (dualdiff/_spec.py): the rule ids, the number
# types' methods, the public functions.  Generated at build time by
# dualdiff/_codegen.py (setup.py puts _spec.pxi on the include path).
# ---------------------------------------------------------------------------

include "_spec.pxi"


cdef int _add_methods(type cls) except -1:
    """Give a number type the spec's functions as methods (np.sin on an object
    array calls .sin()): the generated functions, bound as methods are, put
    into the type's dictionary, which a class statement cannot include."""
    cdef dict methods = <dict>(<PyTypeObject *>cls).tp_dict
    for name, fn in _METHODS.items():
        fn.__name__ = fn.__qualname__ = name
        methods[name] = fn
    PyType_Modified(<PyTypeObject *>cls)
    return 0


include "_dual.pxi"

# ---------------------------------------------------------------------------
# GradientDual, HessianDual, the hvp number, the array kernels
# ---------------------------------------------------------------------------

include "_gradient.pxi"
include "_hessian.pxi"
include "_directional.pxi"
include "_array.pxi"

for _cls in (Dual, HyperDual, GradientDual, HessianDual, _DirectionalDual):
    _add_methods(_cls)


include "_derivative.pxi"


# ---------------------------------------------------------------------------
# The backend interface (dualdiff/_backend.py)
# ---------------------------------------------------------------------------

from types import SimpleNamespace as _SimpleNamespace

from dualdiff import _backend
from dualdiff import arrays as _array_module

_ArrayBase = _array_module.ArrayBase
#: NumPy's ufuncs that are a rule of the table, by rule index (for __array_ufunc__).
cdef dict _UFUNC_RULES = {ufunc: RULE_NAMES.index(name)
                          for ufunc, name in _array_module.UNARY_UFUNCS.items()}


def _tagged_dual(re, du, long tag):
    """Dual(re, du) as a perturbation of the derivative call with this tag."""
    return _dual(dd_dual_make(re, du), tag)


def _tagged_hyper(re, e1, e2, e12, long tag):
    """HyperDual(re, e1, e2, e12) of the second_derivative call with this tag."""
    return _hyper(dd_hyper_make(re, e1, e2, e12), tag)


def _dual_tag(Dual x):
    return x.tag


def _tag_of(x):
    """The tag of the derivative call that perturbs the dualdiff number x (None: not one)."""
    if type(x) is Dual:
        return (<Dual>x).tag
    if type(x) is HyperDual:
        return (<HyperDual>x).tag
    if type(x) is GradientDual:
        return (<GradientDual>x).tag
    if type(x) is HessianDual:
        return (<HessianDual>x).tag
    if type(x) is _DirectionalDual:
        return (<_DirectionalDual>x).p.tag
    return None


def _fresh_tag():
    """A tag for a new derivative call."""
    return _new_tag()


_tags = _SimpleNamespace(new=_fresh_tag, of=_tag_of, dual=_tagged_dual, hyper=_tagged_hyper)

DualArray, HyperDualArray = _array_module.array_types(
    _SimpleNamespace(chain_into=_array_chain_into, binary=_array_binary,
                     aux=_array_aux, aux_arg=_array_aux_arg, partials=_array_partials,
                     libm_values=_libm_values()), Dual, HyperDual,
    "dualdiff._core", _tags)
_ARRAY_TYPES = (DualArray, HyperDualArray)


from dualdiff import _nested as _nested_module

_nested = _nested_module.Nesting(_SimpleNamespace(
    Dual=Dual, HyperDual=HyperDual, tagged_dual=_tagged_dual, dual_tag=_dual_tag,
    functions={name: globals()[name] for name in _nested_module.FUNCTIONS}))
NestedDual = _nested.NestedDual
_common.register_number_types(Dual, HyperDual, GradientDual, HessianDual, _DirectionalDual,
                              NestedDual)

_HessianArray = _backend.hessian_array_type(DualArray)
_ndarray = _common.np.ndarray


cdef inline bint _plain_vector(object x):
    """x is a 1-D float64 ndarray: the case the compiled fast paths take."""
    return type(x) is _ndarray and x.dtype is _float64 and x.ndim == 1


def _fast_gradient(f, x, vectorized, args, read):
    """_fast_gradient(f, x, vectorized, args, read) -> the gradient of f at x,
    or None where this is not the common call (the operator's generic path
    then checks and says what is wrong).  ``read(y, n, tag)`` reads a result
    other than this call's own GradientDual."""
    if vectorized is not False or not callable(f) or not _plain_vector(x) or args is not ():
        return None
    cdef long tag = _new_tag()
    seeds = _seed_vector(x, tag, False)   # the cdef function: no Python call on the hot path
    cdef Py_ssize_t n = len(seeds)
    try:
        y = f(seeds)
        if type(y) is GradientDual and (<GradientDual>y).tag == tag:
            return _dense_gradient((<GradientDual>y).idx, (<GradientDual>y).val,
                                   (<GradientDual>y).n, n)
        return read(y, n, tag)
    except _common.NestedCallError:      # inside a derivative call: the generic path
        return None


def _fast_hessian(f, x, vectorized, args, read):
    """_fast_hessian(f, x, vectorized, args, read) -> the Hessian of f at x
    (``read(y, n, tag)`` reads it from f's result), or None where this is
    not the common call."""
    if vectorized is not False or not callable(f) or not _plain_vector(x) or args is not ():
        return None
    cdef long tag = _new_tag()
    seeds = _seed_vector(x, tag, True)
    cdef Py_ssize_t n = len(seeds)
    return read(f(seeds), n, tag)
