"""The public namespace, built the same way from either backend.

Both backends (``dualdiff._core``, compiled, and ``dualdiff._pure``) export
the names in ``BACKEND_NAMES``; this module adds the math-module aliases.
The tests build one namespace per backend from here, so that each behaviour
is checked on both.
"""

from types import SimpleNamespace

from dualdiff import _spec

#: Elementwise functions of one argument that are a rule of the table; every
#: number type carries each as a method of the same name (``np.sin(dual)``
#: calls ``dual.sin()``).
UNARY_FUNCTIONS = _spec.UNARY

#: Everything each backend module exports.
BACKEND_NAMES = (
    ("Dual", "HyperDual", "GradientDual", "HessianDual", "DualArray", "HyperDualArray")
    + tuple(f.name for f in _spec.FUNCTIONS)
    + ("derivative", "second_derivative", "value_and_derivative",
       "gradient", "value_and_gradient", "jacobian", "value_and_jacobian", "jvp",
       "hessian", "hvp",
       "RULE_NAMES")
)

#: math-module spellings of NumPy-named functions.
ALIASES = _spec.ALIASES


def load_backend(name):
    """load_backend(name) -> module: ``"c"`` or ``"python"``."""
    if name == "c":
        from dualdiff import _core as module
    elif name == "python":
        from dualdiff import _pure as module
    else:
        raise ValueError(f"unknown dualdiff backend {name!r}: expected 'c' or 'python'")
    return module


def namespace(name):
    """namespace(name) -> SimpleNamespace with the public API of one backend."""
    module = load_backend(name)
    names = {n: getattr(module, n) for n in BACKEND_NAMES}
    names.update({alias: names[target] for alias, target in ALIASES.items()})
    names["backend"] = name
    return SimpleNamespace(**names)
