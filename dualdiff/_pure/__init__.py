"""The pure-Python backend of dualdiff: the same API as dualdiff._core.

Used when the compiled extension is missing or DUALDIFF_PURE_PYTHON=1 is set,
and as the oracle the compiled backend is tested against.
"""

from dualdiff._pure._numbers import (
    Dual, HyperDual, abs, arccos, arccosh, arcsin, arcsinh, arctan, arctan2,
    arctanh, cbrt, ceil, cos, cosh, derivative, erf, erfc, exp, exp2, expm1,
    floor, gelu, hypot, leaky_relu, log, log1p, log2, log10, logsumexp, power,
    relu, second_derivative, sigmoid, sign, sin, sinh, softmax, softplus, sqrt,
    tan, tanh, value_and_derivative,
)
from dualdiff._pure._rules import RULE_NAMES

__all__ = [
    "Dual", "HyperDual", "RULE_NAMES", "abs", "arccos", "arccosh", "arcsin",
    "arcsinh", "arctan", "arctan2", "arctanh", "cbrt", "ceil", "cos", "cosh",
    "derivative", "erf", "erfc", "exp", "exp2", "expm1", "floor", "gelu",
    "hypot", "leaky_relu", "log", "log1p", "log2", "log10", "logsumexp",
    "power", "relu", "second_derivative", "sigmoid", "sign", "sin", "sinh",
    "softmax", "softplus", "sqrt", "tan", "tanh", "value_and_derivative",
]
