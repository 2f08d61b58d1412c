"""DualArray and HyperDualArray: arrays of dual numbers stored as NumPy arrays of their parts.

One class per order, shared by both backends.  A backend supplies the
kernels (``chain_into`` for the rule table applied elementwise, ``partials``
for the two-argument functions, the fused passes) and its scalar types;
``array_types(kernels, ...)`` builds the classes over them.

Storage: the real parts ``re`` (float64, any shape s) and the tangent rows
``t`` of shape (k,) + s.  A DualArray has k directions (one for a plain
derivative; more let one pass carry several); a HyperDualArray has the
three rows e1, e2, e12.  Every operation that is linear (sums, indexing,
reshaping, concatenation, ...) applies the same NumPy operation to ``re``
and to every row of ``t``; the others apply the chain rule.

Values come from NumPy itself wherever NumPy has the function, so a real
part equals NumPy's own result to the bit, and out-of-domain points give nan
with NumPy's RuntimeWarning, under ``np.errstate``.  Tangent parts never
warn: an out-of-domain point gets nan tangents quietly.  A tangent
component that is exactly zero stays zero through every rule and every
product, even where a coefficient is infinite.

The arrays are immutable: ``.real``, ``.dual`` and friends are read-only
views, and item assignment raises TypeError.

Modules, by concern:

- base.py: ArrayBase, storage and the array protocol (construction,
  operands, shape, indexing, conversion, pickling, linear operations);
- ops.py: the arithmetic (operators, unary and binary functions) over the
  backend's kernels;
- algebra.py: zero-safe products and the product, quotient and chain rules
  of each shape (first order; second order, for HyperDualArray and
  HessianArray alike);
- types.py: DualArrayBase, HyperDualArrayBase, HessianArrayBase;
- protocol.py: __array_ufunc__ / __array_function__ and their tables,
  over the handlers in functions.py (reductions, shapes, stacking, ...) and
  linalg.py (matmul, dot, norm, einsum);
- elementwise.py: derivative()'s elementwise seed, array_types and
  elementwise_derivative.
"""

from dualdiff.arrays.algebra import tt, tt3, tz
from dualdiff.arrays.base import UNARY_UFUNCS, ArrayBase, ArrayUnsupported, NotElementwiseError
from dualdiff.arrays.elementwise import (
    _raised_inside_dualdiff, array_point, array_types, elementwise_derivative, result_parts)
from dualdiff.arrays.types import DualArrayBase, HessianArrayBase, HyperDualArrayBase

__all__ = [
    "UNARY_UFUNCS", "ArrayBase", "ArrayUnsupported", "DualArrayBase", "HessianArrayBase",
    "HyperDualArrayBase", "NotElementwiseError", "array_point", "array_types",
    "elementwise_derivative", "result_parts", "tt", "tt3", "tz", "_raised_inside_dualdiff",
]
