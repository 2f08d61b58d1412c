# Type stubs for dualdiff._core, the compiled backend.
#
# It exports the names of dualdiff._public.BACKEND_NAMES, as dualdiff._pure
# does.  The public ones are declared once, in dualdiff/__init__.pyi, and
# re-exported here; the module's private helpers are not part of its stub.

from typing import Any, Callable

from dualdiff import Dual as Dual
from dualdiff import DualArray as DualArray
from dualdiff import GradientDual as GradientDual
from dualdiff import HessianDual as HessianDual
from dualdiff import HyperDual as HyperDual
from dualdiff import HyperDualArray as HyperDualArray
# generated: functions (python -m dualdiff._codegen --write)
from dualdiff import exp as exp
from dualdiff import exp2 as exp2
from dualdiff import expm1 as expm1
from dualdiff import log as log
from dualdiff import log2 as log2
from dualdiff import log10 as log10
from dualdiff import log1p as log1p
from dualdiff import sqrt as sqrt
from dualdiff import cbrt as cbrt
from dualdiff import sin as sin
from dualdiff import cos as cos
from dualdiff import tan as tan
from dualdiff import arcsin as arcsin
from dualdiff import arccos as arccos
from dualdiff import arctan as arctan
from dualdiff import deg2rad as deg2rad
from dualdiff import rad2deg as rad2deg
from dualdiff import sinh as sinh
from dualdiff import cosh as cosh
from dualdiff import tanh as tanh
from dualdiff import arcsinh as arcsinh
from dualdiff import arccosh as arccosh
from dualdiff import arctanh as arctanh
from dualdiff import erf as erf
from dualdiff import erfc as erfc
from dualdiff import abs as abs
from dualdiff import sign as sign
from dualdiff import floor as floor
from dualdiff import ceil as ceil
from dualdiff import sigmoid as sigmoid
from dualdiff import relu as relu
from dualdiff import leaky_relu as leaky_relu
from dualdiff import softplus as softplus
from dualdiff import gelu as gelu
from dualdiff import power as power
from dualdiff import arctan2 as arctan2
from dualdiff import hypot as hypot
from dualdiff import softmax as softmax
from dualdiff import logsumexp as logsumexp
# end generated: functions
from dualdiff import derivative as derivative
from dualdiff import second_derivative as second_derivative
from dualdiff import value_and_derivative as value_and_derivative

#: Names of the unary rules in the C table, in table order.
RULE_NAMES: tuple[str, ...]
#: name -> public function, for every function of dualdiff/_spec.py
FUNCTIONS: dict[str, Callable[..., Any]]
