"""Perturbation confusion: nested derivative calls must not mix their perturbations.

Siskind & Pearlmutter (2005); ForwardDiff.jl's test/ConfusionTest.jl.  Every
case is checked against its closed form.
"""

import math

import mpmath
import numpy as np
import pytest


def test_the_classic_case(dd):
    # d/dx [x * d/dy (x + y)] = d/dx [x * 1] = 1; confusing the two
    # perturbations gives 2.
    D = dd.derivative
    assert D(lambda x: x * D(lambda y: x + y, 1.0), 1.0) == 1.0


def test_inner_product_of_both_variables(dd):
    # d/dx [x * d/dy (x y)] = d/dx [x^2] = 2x
    D = dd.derivative
    for x0 in (1.0, 2.5, -0.75):
        assert D(lambda x: x * D(lambda y: x * y, 2.0), x0) == 2.0 * x0


@pytest.mark.parametrize("name, f, f2", [
    ("sin", lambda dd, x: dd.sin(x), lambda x: -math.sin(x)),
    ("x^3 exp", lambda dd, x: x**3 * dd.exp(x), lambda x: (x**3 + 6 * x**2 + 6 * x) * math.exp(x)),
    ("sigmoid", lambda dd, x: dd.sigmoid(x), None),
    ("gelu", lambda dd, x: dd.gelu(x), None),
    ("quotient", lambda dd, x: 1.0 / (1.0 + x * x), lambda x: (6 * x * x - 2) / (1 + x * x) ** 3),
])
def test_derivative_of_derivative_is_the_second_derivative(dd, name, f, f2):
    for x0 in (-1.3, 0.4, 2.0):
        g = lambda t: f(dd, t)   # noqa: E731
        nested = dd.derivative(lambda x: dd.derivative(g, x), x0)
        direct = dd.second_derivative(g, x0)
        assert abs(nested - direct) <= 4 * math.ulp(abs(direct) + 1e-300), (name, x0)
        if f2 is not None:
            assert abs(nested - f2(x0)) <= 1e-12 * max(1.0, abs(f2(x0))), (name, x0)


def test_derivative_function_composes(dd):
    second = dd.derivative(dd.derivative(dd.sin))
    assert second(0.5) == -math.sin(0.5)


@pytest.mark.parametrize("x0, y0", [(3.0, 2.0), (-0.5, 1.25), (0.7, -2.0)])
def test_mixed_partials_against_mpmath(dd, x0, y0):
    # d/dx d/dy of g(x, y) = atan2(x, y) + hypot(y, x) + x**y * sin(x y) (x > 0 for x**y)
    def g(x, y, m):
        base = abs(x0)   # a positive base: x**y is real
        return m.atan2(x, y) + m.hypot(y, x) + (base + x - x0) ** y * m.sin(x * y)

    nested = dd.derivative(lambda x: dd.derivative(lambda y: g(x, y, dd), y0), x0)
    with mpmath.workdps(40):
        true = mpmath.diff(lambda x, y: g(x, y, mpmath), (x0, y0), (1, 1))
    assert abs(nested - float(true)) <= 1e-13 * max(1.0, abs(float(true)))


def test_inner_result_independent_of_the_inner_variable(dd):
    D = dd.derivative
    assert D(lambda x: D(lambda y: x**2, 1.0), 3.0) == 0.0
    assert D(lambda x: D(lambda y: y**2, 3.0) * x, 2.0) == 6.0


def test_inner_call_returns_a_dual_of_the_outer_call(dd):
    seen = []

    def outer(x):
        inner = dd.derivative(lambda y: x * y**2, 2.0)   # 4x, still perturbed by x
        seen.append(type(inner))
        value, slope = dd.value_and_derivative(lambda y: x * y**2, 2.0)
        seen.extend([type(value), type(slope)])
        return inner + value + slope

    # d/dx [4x + 4x + 4x] = 12
    assert dd.derivative(outer, 1.5) == 12.0
    assert seen == [dd.Dual, dd.Dual, dd.Dual]


def test_nested_call_at_a_perturbed_point(dd):
    # d/dx [f'(x)] with the inner call's point being the outer variable itself
    f = lambda t: dd.log1p(t * t)   # noqa: E731
    got = dd.derivative(lambda x: dd.derivative(f, x), 0.6)
    assert got == dd.second_derivative(f, 0.6)


def test_functions_of_both_perturbations(dd):
    # d/dx d/dy exp(x y) = (1 + x y) exp(x y)
    got = dd.derivative(lambda x: dd.derivative(lambda y: dd.exp(x * y), 0.5), 2.0)
    true = (1 + 1.0) * math.exp(1.0)
    assert abs(got - true) <= 4 * math.ulp(true)


def test_three_levels_are_refused_with_a_clear_error(dd):
    D = dd.derivative
    with pytest.raises(TypeError, match="nested more than two deep"):
        D(lambda x: D(lambda y: D(lambda z: x * y * z, 1.0), 1.0), 1.0)


def test_a_hand_made_dual_is_its_own_perturbation(dd):
    # Dual(1, 1) built by hand is independent of the call's variable y:
    # d/dy [(1 + e) y] = 1 + e, a Dual.
    got = dd.derivative(lambda y: dd.Dual(1.0, 1.0) * y, 2.0)
    assert type(got) is dd.Dual and (got.real, got.dual) == (1.0, 1.0)


def test_plain_calls_after_nesting_are_unaffected(dd):
    f = lambda t: t**3 + 2 * t**2 - t + 1   # noqa: E731
    before = (dd.derivative(f, 2.0), dd.second_derivative(f, 2.0))
    dd.derivative(lambda x: x * dd.derivative(lambda y: x + y, 1.0), 1.0)
    assert (dd.derivative(f, 2.0), dd.second_derivative(f, 2.0)) == before == (19.0, 16.0)


@pytest.mark.parametrize("inner", ["gradient", "jacobian", "hessian", "value_and_gradient"])
def test_nested_multivariate_calls_refuse_rather_than_mix(dd, inner):
    # Both calls would number their variables from 0: mixing their partials
    # gives a wrong gradient ([5.] instead of [3.] here), so it must raise.
    call = getattr(dd, inner)

    def outer(v):
        result = call(lambda w: w[0] * v[0], [2.0])
        return result[0] if inner != "value_and_gradient" else result[1][0]

    same_type = "two different gradient, jacobian or hessian calls"
    with pytest.raises(TypeError, match=same_type if inner != "hessian" else "unsupported"):
        dd.gradient(outer, [3.0])
    with pytest.raises(TypeError, match=same_type if inner == "hessian" else "unsupported"):
        dd.hessian(outer, [3.0])


def test_a_hand_made_gradient_dual_mixes_with_any_call(dd):
    # Numbers built by hand belong to no call (tag 0): they combine with seeds.
    c = dd.GradientDual(2.0, {0: 1.0})
    assert dd.gradient(lambda v: v[0] * c.real + v[1], [1.0, 5.0]).tolist() == [2.0, 1.0]
    g = dd.gradient(lambda v: (v[0] * c).real + v[1], [1.0, 5.0])
    assert g.tolist() == [0.0, 1.0]


def test_gradient_inside_derivative(dd):
    # d/dt of the first partial of f(v) = v0^2 v1 + sin(v0 v1) at v = (t, 2):
    # d/dt [2 t 2 + 2 cos(2 t)] = 4 - 4 sin(2t)
    f = lambda v: v[0] ** 2 * v[1] + dd.sin(v[0] * v[1])   # noqa: E731
    t0 = 0.7
    got = dd.derivative(lambda t: dd.gradient(f, [t, 2.0])[0], t0)
    assert abs(got - (4 - 4 * math.sin(2 * t0))) <= 4 * math.ulp(4.0)
    # the outer variable reaching f through a closure only
    assert dd.derivative(lambda s: dd.gradient(lambda v: s * v[0] ** 2, [3.0])[0], 5.0) == 6.0
    # value_and_gradient nested: d/ds of the value s * s^2
    assert dd.derivative(lambda s: dd.value_and_gradient(lambda v: v[0] * v[1], [s, s * s])[0], 2.0) == 12.0


def test_derivative_inside_gradient(dd):
    # d/dv [ d/dt (v0 t^2 + v1 t) at t = 1 ] = d/dv [2 v0 + v1] = (2, 1)
    g = dd.gradient(lambda v: dd.derivative(lambda t: v[0] * t ** 2 + v[1] * t, 1.0), [3.0, 4.0])
    assert g.dtype == np.float64 and g.tolist() == [2.0, 1.0]


def test_hessian_inside_derivative_refuses(dd):
    # its derivative is a third derivative: refused, never wrong
    with pytest.raises(TypeError, match="inside a derivative call.*third derivative"):
        dd.derivative(lambda s: dd.hessian(lambda v: s * v[0] ** 2, [3.0])[0, 0], 5.0)


def test_jacobian_inside_derivative(dd):
    # J of F(v) = (s v0 v1, sin(s v0), v1^2) at (3, 2), then d/ds of its entries
    def F(s):
        return lambda v: [s * v[0] * v[1], dd.sin(s * v[0]), v[1] ** 2]

    s0, v0 = 0.5, [3.0, 2.0]
    exact = {  # d/ds J[k, i]
        (0, 0): v0[1], (0, 1): v0[0],
        (1, 0): math.cos(s0 * v0[0]) - s0 * v0[0] * math.sin(s0 * v0[0]), (1, 1): 0.0,
        (2, 0): 0.0, (2, 1): 0.0,
    }
    for (k, i), true in exact.items():
        # the outer variable through a closure only
        got = dd.derivative(lambda s: dd.jacobian(F(s), v0)[k, i], s0)
        assert abs(got - true) <= 4 * math.ulp(max(1.0, abs(true))), (k, i)
    # the outer variable in the point: d/dt J(t, 2) of G(v) = (v0^2 v1, v0 + v1)
    G = lambda v: (v[0] ** 2 * v[1], v[0] + v[1])   # noqa: E731
    got = dd.derivative(lambda t: dd.jacobian(G, [t, 2.0])[0, 0], 1.5)
    assert got == 4.0   # d/dt (2 t * 2)
    # a scalar-valued f gives a gradient, as outside derivative calls
    assert dd.derivative(lambda s: dd.jacobian(lambda v: s * v[0] ** 2, [3.0])[0], 5.0) == 6.0
    # entries that do not depend on the outer variable stay float64
    inner = []
    dd.derivative(lambda s: inner.append(dd.jacobian(F(s), v0)) or s, s0)
    assert inner[0].shape == (3, 2)
    assert inner[0][2, 1].real == 4.0 if inner[0].dtype == object else inner[0][2, 1] == 4.0
