"""The public namespace, built the same way over either backend.

Each backend (``dualdiff._core``, compiled, and ``dualdiff._pure``) exports
the names in ``BACKEND_NAMES`` (``dualdiff._backend``: the interface);
``dualdiff.api.namespace`` adds the operators, bound to that backend, and
the math-module aliases.  The tests build one namespace per backend from
here, so that each behaviour is checked on both.
"""

from dualdiff._backend import BACKEND_NAMES, UNARY_FUNCTIONS, load_backend
from dualdiff.api.namespace import ALIASES, OPERATOR_NAMES, PUBLIC_NAMES, namespace

__all__ = ["ALIASES", "BACKEND_NAMES", "OPERATOR_NAMES", "PUBLIC_NAMES", "UNARY_FUNCTIONS",
           "load_backend", "namespace"]
