# Type stubs for dualdiff.finite: finite-difference and complex-step
# derivatives.
#
# Each function of one variable takes a real number x (f gets floats, the
# result is a float) or an ndarray x (f gets the whole float64 array and must
# be elementwise; the result is a float64 ndarray).  The functions of
# several variables take a point of n reals and call f with float64 ndarrays.

from collections.abc import Callable, Sequence
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from typing_extensions import TypeAlias

__all__ = ["forward_difference", "backward_difference", "central_difference",
           "second_difference", "complex_step", "fd_gradient", "fd_jacobian",
           "fd_hessian"]

#: Machine epsilon of float64.
EPS: float
#: The default relative step of each stencil (scaled by max(1, |x|)).
STEPS: dict[str, float]

_RealArray: TypeAlias = NDArray[np.floating[Any] | np.integer[Any] | np.bool_]
_Point: TypeAlias = list[float] | list[int] | tuple[float, ...] | _RealArray
_Step: TypeAlias = float | Sequence[float] | _RealArray | None
_Method: TypeAlias = Literal["forward", "backward", "central"]

# ---------------------------------------------------------------------------
# Derivatives of one variable (elementwise for an ndarray x)
# ---------------------------------------------------------------------------

@overload
def forward_difference(f: Callable[[float], float], x: float, h: float | None = None) -> float: ...
@overload
def forward_difference(
    f: Callable[[NDArray[np.float64]], ArrayLike],
    x: _RealArray,
    h: float | _RealArray | None = None,
) -> NDArray[np.float64]: ...
@overload
def backward_difference(f: Callable[[float], float], x: float, h: float | None = None) -> float: ...
@overload
def backward_difference(
    f: Callable[[NDArray[np.float64]], ArrayLike],
    x: _RealArray,
    h: float | _RealArray | None = None,
) -> NDArray[np.float64]: ...
@overload
def central_difference(
    f: Callable[[float], float], x: float, h: float | None = None, *, accuracy: Literal[2, 4] = 2
) -> float: ...
@overload
def central_difference(
    f: Callable[[NDArray[np.float64]], ArrayLike],
    x: _RealArray,
    h: float | _RealArray | None = None,
    *,
    accuracy: Literal[2, 4] = 2,
) -> NDArray[np.float64]: ...
@overload
def second_difference(f: Callable[[float], float], x: float, h: float | None = None) -> float: ...
@overload
def second_difference(
    f: Callable[[NDArray[np.float64]], ArrayLike],
    x: _RealArray,
    h: float | _RealArray | None = None,
) -> NDArray[np.float64]: ...

# f must accept complex numbers (cmath, NumPy), and gets a complex point
@overload
def complex_step(f: Callable[[complex], complex], x: float, h: float | None = 1e-20) -> float: ...
@overload
def complex_step(
    f: Callable[[NDArray[np.complex128]], ArrayLike],
    x: _RealArray,
    h: float | _RealArray | None = 1e-20,
) -> NDArray[np.float64]: ...

# ---------------------------------------------------------------------------
# Several variables: gradient (n,), Jacobian (m, n), Hessian (n, n)
# ---------------------------------------------------------------------------

def fd_gradient(
    f: Callable[[NDArray[np.float64]], float],
    x: _Point,
    h: _Step = None,
    *,
    method: _Method = "central",
) -> NDArray[np.float64]: ...
def fd_jacobian(
    f: Callable[[NDArray[np.float64]], ArrayLike],
    x: _Point,
    h: _Step = None,
    *,
    method: _Method = "central",
) -> NDArray[np.float64]: ...
def fd_hessian(
    f: Callable[[NDArray[np.float64]], float], x: _Point, h: _Step = None
) -> NDArray[np.float64]: ...
