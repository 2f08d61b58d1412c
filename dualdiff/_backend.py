"""The backend interface: what ``dualdiff._core`` (compiled) and
``dualdiff._pure`` (pure Python) each provide, and nothing above them.

A backend module is the object that implements it.  It never imports the
operators (``dualdiff.api``); they take it as ``backend`` and read these
names from it:

Public (``BACKEND_NAMES``; the user sees them through ``dualdiff``):
    the number types ``Dual``, ``HyperDual``, ``GradientDual``,
    ``HessianDual``; the array types ``DualArray``, ``HyperDualArray``; the
    functions of numbers (``UNARY_FUNCTIONS``, ``log``, ``power``, ...) and
    ``RULE_NAMES``; the scalar operators ``derivative``,
    ``second_derivative``, ``value_and_derivative`` (the hot path: compiled
    in the C backend, never wrapped in Python).

For the operators (``OPERATOR_FACING``):
    ``NestedDual``, ``_DirectionalDual``
        the number of a derivative call nested in another, and the number
        hvp seeds (x_i + e_i + eps v_i, two GradientDual parts).
    ``_HessianArray``
        the array type of ``hessian(vectorized=True)``: n first and n * n
        second partials (``hessian_array_type`` makes it).
    ``_tags``
        the tag namespace: ``new()`` a tag for a new call, ``of(x)`` the tag
        of a dualdiff number (None: not one), ``dual(re, du, tag)``,
        ``hyper(re, e1, e2, e12, tag)`` numbers of the call ``tag``.
    ``_nested``
        the nesting object (``dualdiff._nested.Nesting``): ``seed(x, tag,
        v)``, ``tangent(y, tag, op)``, ``value(y, tag)``.
    ``_gradient_seeds(x, tag)``, ``_hessian_seeds(x, tag)``, ``_hvp_seeds(x, v, tag)``
        object ndarrays of the seeds x_i + e_i of the call ``tag`` (for a
        1-D float64 ndarray x; v the direction of hvp).  Read-out is by the
        numbers' own methods: ``GradientDual.gradient(n)``,
        ``HessianDual.hessian(n)``, ``.real``, ``.dual``, ``.tangent``.
    ``_fast_gradient(f, x, vectorized, args, read)``, ``_fast_hessian(...)``
        the fast paths: the gradient / Hessian of f at x where the call is
        the common one (a 1-D float64 ndarray x, vectorized=False, no args),
        else None before f is evaluated (the operator then takes its generic
        path); ``read(y, n, tag)`` is the operator's read-out for a result
        y the fast path does not read itself.  A backend without fast paths
        returns None always.
"""

from dualdiff import _spec
from dualdiff.arrays import HessianArrayBase

#: Elementwise functions of one argument that are a rule of the table; every
#: number type carries each as a method of the same name (``np.sin(dual)``
#: calls ``dual.sin()``).
UNARY_FUNCTIONS = _spec.UNARY

#: The public names each backend module exports: the types, the functions of
#: the spec (dualdiff/_spec.py), the scalar operators.
BACKEND_NAMES = (
    ("Dual", "HyperDual", "GradientDual", "HessianDual", "DualArray", "HyperDualArray")
    + tuple(f.name for f in _spec.FUNCTIONS)
    + ("derivative", "second_derivative", "value_and_derivative", "RULE_NAMES")
)

#: The names the operators of ``dualdiff.api`` use besides the public ones.
OPERATOR_FACING = (
    "NestedDual", "_DirectionalDual", "_HessianArray", "_tags", "_nested",
    "_gradient_seeds", "_hessian_seeds", "_hvp_seeds", "_fast_gradient", "_fast_hessian",
)

#: Everything a backend module provides.
INTERFACE = BACKEND_NAMES + OPERATOR_FACING


def load_backend(name):
    """load_backend(name) -> module: ``"c"`` or ``"python"``."""
    if name == "c":
        from dualdiff import _core as module
    elif name == "python":
        from dualdiff import _pure as module
    else:
        raise ValueError(f"unknown dualdiff backend {name!r}: expected 'c' or 'python'")
    return module


def hessian_array_type(DualArray):
    """The array type of the vectorized Hessian, over DualArray's kernels."""
    return type("HessianArray", (HessianArrayBase,),
                {"__slots__": (), "_kernels": DualArray._kernels,
                 "__module__": DualArray.__module__})
