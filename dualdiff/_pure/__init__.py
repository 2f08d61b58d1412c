"""The pure-Python backend of dualdiff: the same API as dualdiff._core.

Used when the compiled extension is missing or DUALDIFF_PURE_PYTHON=1 is set,
and as the oracle the compiled backend is tested against.
"""

from types import SimpleNamespace as _SimpleNamespace

from dualdiff._pure._numbers import (
    Dual, DualArray, HyperDual, HyperDualArray, NestedDual, derivative, second_derivative,
    value_and_derivative,
)
from dualdiff._pure._gradient import GradientDual
from dualdiff._pure._gradient import gradient_seeds as _gradient_seeds
from dualdiff._pure._directional import _DirectionalDual
from dualdiff._pure._directional import hvp_seeds as _hvp_seeds
from dualdiff._pure._hessian import HessianDual
from dualdiff._pure._hessian import hessian_seeds as _hessian_seeds
from dualdiff._pure._numbers import FUNCTIONS

globals().update(FUNCTIONS)   # the spec's functions, as the compiled module's attributes

from dualdiff._pure._numbers import TAGS as _TAGS
from dualdiff._pure._numbers import _nesting
from dualdiff._pure._rules import RULE_NAMES
from dualdiff import _common, _multi

_common.register_number_types(Dual, HyperDual, GradientDual, HessianDual, _DirectionalDual,
                              NestedDual)
_operators = _multi.operators(_SimpleNamespace(
    GradientDual=GradientDual, HessianDual=HessianDual, Dual=Dual, DualArray=DualArray,
    derivative=derivative, NestedDual=NestedDual, module=__name__, tags=_TAGS,
    nesting=_nesting, gradient_seeds=_gradient_seeds, hessian_seeds=_hessian_seeds,
    DirectionalDual=_DirectionalDual, hvp_seeds=_hvp_seeds))
gradient = _operators["gradient"]
value_and_gradient = _operators["value_and_gradient"]
jacobian = _operators["jacobian"]
value_and_jacobian = _operators["value_and_jacobian"]
jvp = _operators["jvp"]
hessian = _operators["hessian"]
hvp = _operators["hvp"]

__all__ = sorted(["Dual", "DualArray", "FUNCTIONS", "GradientDual", "HyperDualArray", "HessianDual",
                  "HyperDual", "NestedDual", "RULE_NAMES", "gradient", "hessian", "hvp", "jacobian",
                  "jvp", "value_and_gradient", "value_and_jacobian", "derivative",
                  "second_derivative", "value_and_derivative", *FUNCTIONS])
