"""DualArray and HyperDualArray (moved here from dualdiff/_array.py; split by concern next)."""

from dualdiff.arrays.base import (  # noqa: F401
    UNARY_UFUNCS, ArrayBase, ArrayUnsupported, DualArrayBase, HessianArrayBase,
    HyperDualArrayBase, NotElementwiseError, _raised_inside_dualdiff, array_point, array_types,
    elementwise_derivative, result_parts, tt, tt3, tz)
