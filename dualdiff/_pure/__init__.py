"""The pure-Python backend of dualdiff: the same API as dualdiff._core.

Used when the compiled extension is missing or DUALDIFF_PURE_PYTHON=1 is set,
and as the oracle the compiled backend is tested against.  It implements the
backend interface of dualdiff._backend, as dualdiff._core does.
"""

from dualdiff._pure._numbers import Dual, DualArray, HyperDual, HyperDualArray, NestedDual
from dualdiff._pure._functions import FUNCTIONS
from dualdiff._pure._derivative import derivative, second_derivative, value_and_derivative
from dualdiff._pure._gradient import GradientDual
from dualdiff._pure._gradient import gradient_seeds as _gradient_seeds  # noqa: F401  (the interface)
from dualdiff._pure._directional import _DirectionalDual
from dualdiff._pure._directional import hvp_seeds as _hvp_seeds  # noqa: F401
from dualdiff._pure._hessian import HessianDual
from dualdiff._pure._hessian import hessian_seeds as _hessian_seeds  # noqa: F401
from dualdiff._pure._numbers import TAGS as _tags  # noqa: F401
from dualdiff._pure._numbers import _nesting as _nested  # noqa: F401
from dualdiff._pure._rules import RULE_NAMES
from dualdiff import _backend, _common

_common.register_number_types(Dual, HyperDual, GradientDual, HessianDual, _DirectionalDual,
                              NestedDual)
_HessianArray = _backend.hessian_array_type(DualArray)


def _fast_gradient(f, x, vectorized, args, read):
    """No fast path here: the operator's generic one (see dualdiff._backend)."""
    return None


_fast_hessian = _fast_gradient

globals().update(FUNCTIONS)   # the spec's functions, module attributes as the compiled ones are

__all__ = ["Dual", "DualArray", "FUNCTIONS", "GradientDual", "HessianDual", "HyperDual",
           "HyperDualArray", "NestedDual", "RULE_NAMES", "derivative", "second_derivative",
           "value_and_derivative"]
__all__ += list(FUNCTIONS)
