"""The public namespace of one backend: the backend's own names, the
operators of ``dualdiff.api`` bound to it, and the math-module aliases.

Each operator is written once, as a module-level function of
``dualdiff.api.multivariate`` or ``dualdiff.api.hessian`` that reads the
module global ``backend``.  ``operators(name)`` makes, per backend, plain
copies of those functions (``types.FunctionType`` over the template's code,
with ``backend`` set in a copy of its module's globals): each public
operator is then a plain Python function with the template's signature,
name and one docstring, calling the backend's primitives with no extra
indirection.  The copies of a backend live on ``operators(name)``, which
this module also exposes as its attributes ``c`` and ``python``, so that
pickle finds ``dualdiff.api.namespace.c.gradient`` (as a function
returned by ``gradient(f, vectorized="auto")`` pickles its operator).
"""

import threading
import types
from types import SimpleNamespace

from dualdiff import _spec
from dualdiff._backend import BACKEND_NAMES, load_backend
from dualdiff.api import hessian, multivariate

#: The modules whose functions in ``BOUND`` are copied per backend.
TEMPLATES = (multivariate, hessian)

#: The operators of several variables, in every backend's namespace.
OPERATOR_NAMES = ("gradient", "value_and_gradient", "jacobian", "value_and_jacobian", "jvp",
                  "hessian", "hvp")

#: Everything the public namespace of a backend holds (with ``ALIASES``).
PUBLIC_NAMES = BACKEND_NAMES + OPERATOR_NAMES

#: math-module spellings of NumPy-named functions.
ALIASES = _spec.ALIASES


def _copy(template, scope, qualname):
    """The function `template` over the globals `scope`."""
    f = types.FunctionType(template.__code__, scope, template.__name__,
                           template.__defaults__, template.__closure__)
    f.__kwdefaults__ = dict(template.__kwdefaults__ or {}) or None
    f.__doc__ = template.__doc__
    f.__module__, f.__qualname__ = __name__, qualname
    return f


class Operators:
    """The operators bound to the backend `name`, as attributes."""

    def __init__(self, name):
        self.backend = name
        module = load_backend(name)
        for template in TEMPLATES:
            scope = dict(vars(template), backend=module)
            for fname in template.BOUND:
                scope[fname] = _copy(vars(template)[fname], scope, f"{name}.{fname}")
            for fname in OPERATOR_NAMES:
                if fname in template.BOUND:
                    setattr(self, fname, scope[fname])

    def __reduce__(self):   # pickled by reference (pickle protocols 0 to 3)
        return (operators, (self.backend,))


_lock = threading.Lock()
_operators = {}


def operators(name):
    """operators(name) -> the Operators of the backend ``"c"`` or ``"python"``
    (made once: the same functions at each call)."""
    with _lock:
        if name not in _operators:
            _operators[name] = Operators(name)
        return _operators[name]


def __getattr__(name):
    """c, python: the operators of that backend, made at first use (so that
    the compiled extension is imported only where it is asked for)."""
    if name in ("c", "python"):
        return operators(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def namespace(name):
    """namespace(name) -> SimpleNamespace with the public API of one backend."""
    module = load_backend(name)
    names = {n: getattr(module, n) for n in BACKEND_NAMES}
    ops = operators(name)
    names.update({n: getattr(ops, n) for n in OPERATOR_NAMES})
    names.update({alias: names[target] for alias, target in ALIASES.items()})
    names["backend"] = name
    return SimpleNamespace(**names)
