"""A small program that uses dualdiff as a user with a type checker would.

Not a test module: tests/test_typing.py checks it with ``mypy --strict``
(which must pass, through dualdiff's stubs) and runs it on each backend.
"""

import math
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

import dualdiff as dd
from dualdiff import finite

Vector = NDArray[np.float64]

# Scalar code written once for floats and dual numbers alike.
T = TypeVar("T", float, dd.Dual, dd.HyperDual)


def cubic(x: T) -> T:
    return x**3 + 2 * x**2 - x + 1


def bump(x: T) -> T:
    return dd.sin(x) * dd.exp(x) / (1 + x * x) + dd.log1p(x * x) + dd.sqrt(x) + dd.tanh(x)


def newton(f: Callable[[float], float], df: Callable[[float], float], x: float) -> float:
    """A root of f by Newton's method, with df as its derivative."""
    for _ in range(50):
        step = f(x) / df(x)
        x -= step
        if abs(step) < 1e-15 * max(1.0, abs(x)):
            break
    return x


def scalar_derivatives() -> None:
    assert dd.derivative(cubic, 2.0) == 19.0
    assert dd.second_derivative(cubic, 2) == 16.0
    value, slope = dd.value_and_derivative(cubic, 2.0)
    assert (value, slope) == (15.0, 19.0)
    exact = dd.derivative(bump, 0.7)
    approx = finite.central_difference(bump, 0.7)
    assert abs(exact - approx) < 1e-8
    assert abs(dd.derivative(dd.sigmoid, 0.0) - 0.25) < 1e-16
    # the derivative function, where a callable float -> float is wanted
    root = newton(lambda x: dd.cos(x) - x, dd.derivative(lambda x: dd.cos(x) - x), 1.0)
    assert abs(math.cos(root) - root) < 1e-15
    slopes: Vector = dd.derivative(bump, np.linspace(0.5, 2.0, 4))
    curvature: Vector = dd.second_derivative(cubic, np.array([0.0, 1.0]))
    assert slopes.shape == (4,) and list(curvature) == [4.0, 10.0]


def number_types() -> None:
    x = dd.Dual(2.0, 1.0)
    y = x**4 + 3 * x - dd.exp(x) / 2 + abs(-x) + math.floor(x)
    assert isinstance(y.real, float) and isinstance(y.dual, float)
    assert y > 0 and y.sin().real == math.sin(y.real)
    h = dd.HyperDual(2.0, 1.0, 1.0, 0.0) ** 4
    assert (h.real, h.e1, h.e12) == (16.0, 32.0, 48.0)
    g = dd.GradientDual(3.0, {0: 1.0}) * dd.GradientDual(2.0, {1: 1.0})
    assert g.partials == {0: 2.0, 1: 3.0}
    grad: Vector = g.gradient(2)
    assert list(grad) == [2.0, 3.0]
    p = dd.HessianDual(3.0, {0: 1.0}) ** 2
    assert p.hessian(1)[0, 0] == 2.0
    assert dd.leaky_relu(-2.0, alpha=0.1) == -0.2
    assert dd.gelu(dd.Dual(0.0, 1.0), approximate=True).dual == 0.5
    assert dd.log(8.0, 2.0) == 3.0 and dd.atan2(1.0, 1.0) == dd.arctan2(1.0, 1.0)
    r = dd.hypot(dd.Dual(3.0, 1.0), 4.0)
    assert r.real == 5.0 and dd.pow(r, 2).real == 25.0
    probabilities = dd.softmax([0.0, 0.0, 0.0, 0.0])
    assert probabilities == [0.25] * 4
    assert abs(dd.logsumexp([1.0, 2.0, 3.0]) - 3.4076059644443806) < 1e-14


def arrays() -> None:
    x = dd.DualArray([0.0, 1.0, 2.0], [1.0, 1.0, 1.0])
    y = dd.sigmoid(x) * x + np.sin(x) - 2.0 * np.ones(3)
    assert y.shape == (3,) and y.dual.shape == (3,) and y.real[0] == -2.0
    assert isinstance(y[0], dd.Dual) and len(y) == 3
    total = y.sum()
    assert abs(total.real - float(np.sum(y.real))) < 1e-12
    p = dd.softmax(dd.DualArray([[1.0, 2.0], [3.0, 5.0]], [[1.0, 0.0], [0.0, 0.0]]), axis=1)
    assert p.real.shape == (2, 2) and abs(p.dual[0, 0] - p.real[0, 0] * p.real[0, 1]) < 1e-15
    z = dd.HyperDualArray([1.0, 2.0], 1.0, 1.0) ** 3
    assert list(z.e12) == [6.0, 12.0]


def rosen(v: NDArray[Any]) -> Any:
    """Rosenbrock's function, written with NumPy's operators (scipy.optimize.rosen)."""
    return np.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2)


def minimize(jac: Callable[[Vector], Vector], hess: Callable[[Vector], Vector],
             x0: Vector) -> Vector:
    """Newton's method for a minimum, called as scipy.optimize.minimize is (jac=, hess=)."""
    x = x0
    for _ in range(50):
        step = np.linalg.solve(hess(x), jac(x))
        x = x - step
        if np.max(np.abs(step)) < 1e-14:
            break
    return x


def several_variables() -> None:
    def f(v: NDArray[Any]) -> Any:
        return v[0] ** 2 * v[1] + v[0] * v[1] ** 2

    assert list(dd.gradient(f, [1.0, 2.0])) == [8.0, 5.0]
    assert dd.hessian(f, (1.0, 2.0)).tolist() == [[4.0, 6.0], [6.0, 2.0]]
    value, grad = dd.value_and_gradient(f, np.array([1.0, 2.0]))
    assert value == 6.0 and grad.tolist() == [8.0, 5.0]
    jac = dd.jacobian(lambda v: [v[0] * v[1], v[0] + v[1]], [2.0, 3.0])
    assert jac.shape == (2, 2)
    assert dd.jvp(f, [1.0, 2.0], [1.0, 0.0]) == 8.0
    assert dd.hvp(f, [1.0, 2.0], [1.0, 0.0]).tolist() == [4.0, 6.0]
    xmin = minimize(dd.gradient(rosen), dd.hessian(rosen), np.array([1.2, 1.0, 0.8]))
    assert np.allclose(xmin, 1.0, rtol=0, atol=1e-12)
    fd = finite.fd_gradient(lambda v: float(v[0] * v[1]), [3.0, 4.0])
    assert np.allclose(fd, [4.0, 3.0])


def main() -> None:
    scalar_derivatives()
    number_types()
    arrays()
    several_variables()
    print(f"ok ({dd.backend}, dualdiff {dd.__version__})")


if __name__ == "__main__":
    main()
